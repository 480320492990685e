import Fluent
import SQLKit

/// Each date of a series remembers which date of its rule it is (`occurs_at`), whatever it is moved
/// to. Without it, moving one date freed its slot and the next run of the series job made the date
/// again beside the moved one; moving the first date shifted the whole rule. The feeds also need it
/// for RECURRENCE-ID, which names the date an edited occurrence replaces. Series stay unique by their
/// rule's dates, no longer by start times, so a date may be moved onto any time. An index on
/// (starts_at, id, ends_at, status) replaces (starts_at, id) and serves the upcoming list from the index alone.
struct KeepOccurrenceDates: AsyncMigration {
    var name: String { "033_KeepOccurrenceDates" }

    func prepare(on database: any Database) async throws {
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await database.sql.raw("ALTER TABLE events ADD COLUMN occurs_at \(unsafeRaw: timestamp)").run()
        try await database.sql.raw("UPDATE events SET occurs_at = starts_at").run()
        try await database.sql.raw("DROP INDEX events_series_date").run()
        try await database.sql.raw("CREATE UNIQUE INDEX events_series_occurrence ON events (series_id, occurs_at)").run()
        // What is still on, in order, read from the index alone (the upcoming list and its API). Not led by
        // `status`: SQLite (without statistics) then preferred it to `events_circle` for one circle's dates
        // and to the series index for a feed's edited dates, and a circle's page took 48 ms instead of 13.
        try await database.sql.raw("DROP INDEX events_upcoming").run()
        try await database.sql.raw("CREATE INDEX events_scheduled ON events (starts_at, id, ends_at, status)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX events_scheduled").run()
        try await database.sql.raw("CREATE INDEX events_upcoming ON events (starts_at, id)").run()
        try await database.sql.raw("DROP INDEX events_series_occurrence").run()
        try await database.sql.raw("CREATE UNIQUE INDEX events_series_date ON events (series_id, starts_at)").run()
        try await database.sql.raw("ALTER TABLE events DROP COLUMN occurs_at").run()
    }
}
