import Fluent
import Foundation
import SQLKit

/// Bios are rendered once, when written, instead of on every view of the profile.
struct AddProfileBioHTML: AsyncMigration {
    var name: String { "011_AddProfileBioHTML" }

    func prepare(on database: any Database) async throws {
        try await database.schema("profiles").field("bio_html", .string, .required, .sql(.default(""))).update()
        struct Row: Decodable { var id: UUID; var bio: String }
        let rows = try await database.sql.raw("SELECT id, bio FROM profiles WHERE bio <> ''").all(decoding: Row.self)
        let markdown = FrozenMarkdown()
        for row in rows {
            try await database.sql.raw("UPDATE profiles SET bio_html = \(bind: markdown.html(row.bio)) WHERE id = \(bind: row.id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("profiles").deleteField("bio_html").update()
    }
}
