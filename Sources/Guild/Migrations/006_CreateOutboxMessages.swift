import Fluent

struct CreateOutboxMessages: AsyncMigration {
    var name: String { "006_CreateOutboxMessages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages")
            .id()
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        try await database.sql.create(index: "outbox_messages_due").on("outbox_messages")
            .column("status").column("next_attempt_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").delete()
    }
}
