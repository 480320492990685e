import Fluent
import SQLKit

/// One-to-one invitations leave with an iCalendar part: the outbox keeps it beside the text.
struct AddCalendarToOutbox: AsyncMigration {
    var name: String { "032_AddCalendarToOutbox" }

    func prepare(on database: any Database) async throws {
        try await database.sql.raw("ALTER TABLE outbox_messages ADD COLUMN calendar TEXT").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("ALTER TABLE outbox_messages DROP COLUMN calendar").run()
    }
}
