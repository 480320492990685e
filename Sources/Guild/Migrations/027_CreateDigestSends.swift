import Fluent
import SQLKit

/// One row per member and week whose knowledge digest was settled (queued, or nothing to send):
/// inserted in the transaction that queues the email, so every server may try and each member gets
/// each week's digest once.
struct CreateDigestSends: AsyncMigration {
    var name: String { "027_CreateDigestSends" }

    func prepare(on database: any Database) async throws {
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await database.sql.raw("""
            CREATE TABLE digest_sends (
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                week TEXT NOT NULL,
                posts INTEGER NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (user_id, week))
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE digest_sends").run()
    }
}
