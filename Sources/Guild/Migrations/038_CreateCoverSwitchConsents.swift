import Fluent
import SQLKit

/// Whose organizers may switch a member's cover on (issue 30): one row per member and circle they
/// allowed; none by default, so only the member, their trusted contact and admins can.
struct CreateCoverSwitchConsents: AsyncMigration {
    var name: String { "038_CreateCoverSwitchConsents" }

    func prepare(on database: any Database) async throws {
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await database.sql.raw("""
            CREATE TABLE cover_switch_consents (
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (member_id, circle_id))
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE IF EXISTS cover_switch_consents").run()
    }
}
