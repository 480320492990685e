import Fluent
import SQLKit

/// Browsers that signed in to an account before (OWASP's "device cookies"): a random token in an
/// HttpOnly cookie, kept here as its SHA-256. Failed passwords from elsewhere lock out the account's
/// sign-in for strangers, never for these browsers.
struct CreateSignInDevices: AsyncMigration {
    var name: String { "040_CreateSignInDevices" }

    func prepare(on database: any Database) async throws {
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await database.sql.raw("""
            CREATE TABLE sign_in_devices (
                token_hash TEXT PRIMARY KEY,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await database.sql.raw("CREATE INDEX sign_in_devices_user ON sign_in_devices (user_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE IF EXISTS sign_in_devices").run()
    }
}
