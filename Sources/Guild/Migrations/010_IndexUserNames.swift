import Fluent
import SQLKit

/// The directory lists everyone by name; this index spares a sort of every member per page.
struct IndexUserNames: AsyncMigration {
    var name: String { "010_IndexUserNames" }

    func prepare(on database: any Database) async throws {
        try await database.sql.create(index: "users_name").on("users").column("name").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "users_name").run()
    }
}
