import Fluent

struct CreateSessions: AsyncMigration {
    var name: String { "002_CreateSessions" }

    func prepare(on database: any Database) async throws {
        // The id is the SHA-256 of the cookie value, so a leaked table cannot be replayed.
        try await database.schema("sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "sessions_user_id").on("sessions").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sessions").delete()
    }
}
