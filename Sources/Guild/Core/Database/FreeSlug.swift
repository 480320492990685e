import Fluent
import SQLKit

/// The first free slug in a table for a name: "ada-lovelace", then "ada-lovelace-2", … Slugs never
/// change afterwards, so links stay valid. Inside a `writeTransaction`: the lock keeps two rows of
/// the same name, made at once, from picking the same slug.
enum FreeSlug {
    static func pick(_ base: String, in table: String, on db: any Database) async throws -> String {
        try await db.lock("slug:\(table):" + base)
        struct Row: Decodable { var slug: String }
        let taken = Set(try await db.sql.raw("SELECT slug FROM \(ident: table) WHERE slug = \(bind: base) OR slug LIKE \(bind: base + "-%")")
            .all(decoding: Row.self).map(\.slug))
        if !taken.contains(base) { return base }
        var number = 2
        while taken.contains("\(base)-\(number)") { number += 1 }
        return "\(base)-\(number)"
    }
}
