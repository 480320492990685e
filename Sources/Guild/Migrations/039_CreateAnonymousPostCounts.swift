import Fluent
import SQLKit

/// Anonymous posts' limits counted without a trace (issue 30): per UTC day, a count for the whole
/// Guild and one per keyed hash of the account, under a random key made for that day. Rows carry the
/// day and a count, never a time or an account; the key and the counts are deleted once the day is over.
struct CreateAnonymousPostCounts: AsyncMigration {
    var name: String { "039_CreateAnonymousPostCounts" }

    func prepare(on database: any Database) async throws {
        try await database.sql.raw("CREATE TABLE anonymous_post_keys (day TEXT PRIMARY KEY, key TEXT NOT NULL)").run()
        try await database.sql.raw("""
            CREATE TABLE anonymous_post_counts (day TEXT NOT NULL, bucket TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, bucket))
            """).run()
        // The old Guild-wide bucket kept each anonymous post's exact time for a day.
        try await database.sql.raw("DELETE FROM throttle_events WHERE bucket = 'posts:anonymous'").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE IF EXISTS anonymous_post_counts").run()
        try await database.sql.raw("DROP TABLE IF EXISTS anonymous_post_keys").run()
    }
}
