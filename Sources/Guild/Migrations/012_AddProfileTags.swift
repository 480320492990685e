import Fluent
import Foundation
import SQLKit

/// Stores each profile's niches and partner wishes on its row (see `ProfileTags`), with the frozen copy
/// of how `ProfileTags.store` wrote them when this landed.
struct AddProfileTags: AsyncMigration {
    var name: String { "012_AddProfileTags" }

    func prepare(on database: any Database) async throws {
        try await database.schema("profiles").field("niche_tags", .string, .required, .sql(.default("{}"))).update()
        struct Row: Decodable { var id: UUID }
        let profiles = try await database.sql.raw("SELECT id FROM profiles").all(decoding: Row.self).map(\.id)
        for start in stride(from: 0, to: profiles.count, by: 400) {
            try await FrozenDirectoryCode.storeTags(Array(profiles[start..<min(start + 400, profiles.count)]), on: database)
        }
    }

    func revert(on database: any Database) async throws {
        // Raw SQL: Fluent's SQLite driver leaves dropped columns in place.
        try await database.sql.raw("ALTER TABLE profiles DROP COLUMN niche_tags").run()
    }
}
