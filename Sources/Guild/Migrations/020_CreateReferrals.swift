import Fluent
import SQLKit

/// The referral ledger and notifications. A referral's client details (name, email, phone, need)
/// live in `referrals` alone: events, notifications and emails never copy them. Amounts are integers
/// in the currency's minor units. `outbox_messages.unsubscribe_url` carries the one-click
/// unsubscribe address (RFC 8058) of a notification email. An unsubscribe token is stored as it is:
/// it can only turn one kind of email off, and every email of that kind must keep working, so it is
/// made once per member and kind.
struct CreateReferrals: AsyncMigration {
    var name: String { "020_CreateReferrals" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE referrals (
                id UUID PRIMARY KEY,
                giver_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                receiver_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                client_name TEXT NOT NULL, client_email TEXT NOT NULL, client_phone TEXT NOT NULL,
                need TEXT NOT NULL, note TEXT NOT NULL, urgency TEXT NOT NULL, status TEXT NOT NULL,
                reason TEXT, value_minor BIGINT, currency TEXT,
                passed_from_id UUID REFERENCES referrals (id) ON DELETE SET NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX referrals_giver ON referrals (giver_id, created_at)").run()
        try await sql.raw("CREATE INDEX referrals_receiver ON referrals (receiver_id, created_at)").run()
        try await sql.raw("""
            CREATE TABLE referral_events (
                id UUID PRIMARY KEY,
                referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
                actor_id UUID REFERENCES users (id) ON DELETE SET NULL,
                from_status TEXT, to_status TEXT NOT NULL, reason TEXT, value_minor BIGINT, currency TEXT,
                at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX referral_events_referral ON referral_events (referral_id, at)").run()
        try await sql.raw("""
            CREATE TABLE notifications (
                id UUID PRIMARY KEY,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                kind TEXT NOT NULL, title TEXT NOT NULL, link TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, read_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("CREATE INDEX notifications_user ON notifications (user_id, created_at)").run()
        try await sql.raw("CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL").run()
        try await sql.raw("""
            CREATE TABLE notification_settings (
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE, kind TEXT NOT NULL, email BOOLEAN NOT NULL,
                PRIMARY KEY (user_id, kind))
            """).run()
        try await sql.raw("""
            CREATE TABLE unsubscribe_tokens (
                token TEXT PRIMARY KEY, user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE, kind TEXT NOT NULL)
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX unsubscribe_tokens_user_kind ON unsubscribe_tokens (user_id, kind)").run()
        try await sql.raw("ALTER TABLE outbox_messages ADD COLUMN unsubscribe_url TEXT").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["unsubscribe_tokens", "notification_settings", "notifications", "referral_events", "referrals"] {
            try await database.sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
        }
        try await database.sql.raw("ALTER TABLE outbox_messages DROP COLUMN unsubscribe_url").run()
    }
}
