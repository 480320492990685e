import Fluent

struct CreateThrottleEvents: AsyncMigration {
    var name: String { "005_CreateThrottleEvents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("throttle_events")
            .id()
            .field("bucket", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "throttle_events_bucket_time").on("throttle_events")
            .column("bucket").column("occurred_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("throttle_events").delete()
    }
}
