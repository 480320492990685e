import Fluent
import SQLKit

/// `Idempotency-Key` on API POSTs (issue 30; the IETF httpapi draft): the first answer to a key,
/// kept 24 hours per account, so a client that retries after a lost response gets it again instead
/// of making a duplicate. `status` is NULL while the first request is still running.
struct CreateIdempotencyKeys: AsyncMigration {
    var name: String { "041_CreateIdempotencyKeys" }

    func prepare(on database: any Database) async throws {
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await database.sql.raw("""
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
                status INTEGER, content_type TEXT, location TEXT, body TEXT,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (scope, key))
            """).run()
        try await database.sql.raw("CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE IF EXISTS idempotency_keys").run()
    }
}
