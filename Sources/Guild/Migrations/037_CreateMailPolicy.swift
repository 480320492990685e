import Crypto
import Fluent
import Foundation
import SQLKit

/// The outbound-mail policy's tables (issue 30), and what the outbox keeps after delivery.
/// - `mail_sends`: one row per email a member caused (or Guild sent on a schedule), with the
///   recipient as a SHA-256 of the lower-cased address: the daily budget, "once a day per address",
///   the member-to-member cap and `guild outbox` count these. Rows older than 8 days are swept.
/// - `mail_suppressions`: addresses (hashed) that said "don't email me again from Guild".
/// - `mail_stop_tokens`: the one-click links in emails to non-members, hashed.
/// - `mail_budgets`: an admin's per-account budget, replacing the default.
/// - `outbox_messages.kind` and `purged_at`: what the email was, and when its text was dropped.
/// - `unsubscribe_links` replaces `unsubscribe_tokens`: a token per email, stored as its hash (the old
///   table kept them in clear); the old tokens move over hashed, so links in sent emails keep working.
struct CreateMailPolicy: AsyncMigration {
    var name: String { "037_CreateMailPolicy" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE mail_sends (
                id UUID PRIMARY KEY,
                sender_id UUID REFERENCES users (id) ON DELETE CASCADE,
                recipient_hash TEXT NOT NULL, to_member BOOLEAN NOT NULL, purpose TEXT NOT NULL,
                day TEXT NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX mail_sends_sender_day ON mail_sends (sender_id, day)").run()
        try await sql.raw("CREATE INDEX mail_sends_sender_recipient ON mail_sends (sender_id, recipient_hash, created_at)").run()
        try await sql.raw("CREATE INDEX mail_sends_day ON mail_sends (day)").run()
        try await sql.raw("""
            CREATE TABLE mail_suppressions (address_hash TEXT PRIMARY KEY, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE mail_stop_tokens (
                token_hash TEXT PRIMARY KEY, address_hash TEXT NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE mail_budgets (
                user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                daily INTEGER NOT NULL, set_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("ALTER TABLE outbox_messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'mail'").run()
        try await sql.raw("ALTER TABLE outbox_messages ADD COLUMN purged_at \(unsafeRaw: timestamp)").run()
        try await sql.raw("CREATE INDEX outbox_messages_unpurged ON outbox_messages (status, created_at) WHERE purged_at IS NULL").run()
        try await sql.raw("""
            CREATE TABLE unsubscribe_links (
                token_hash TEXT PRIMARY KEY, user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                kind TEXT NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX unsubscribe_links_user ON unsubscribe_links (user_id, kind)").run()
        struct Old: Decodable { var token: String; var user_id: UUID; var kind: String }
        let now = Date()
        for old in try await sql.raw("SELECT token, user_id, kind FROM unsubscribe_tokens").all(decoding: Old.self) {
            let hash = SHA256.hash(data: Data(old.token.utf8)).map { String(format: "%02x", $0) }.joined()
            try await sql.raw("""
                INSERT INTO unsubscribe_links (token_hash, user_id, kind, created_at)
                VALUES (\(bind: hash), \(bind: old.user_id), \(bind: old.kind), \(bind: now))
                """).run()
        }
        try await sql.raw("DROP TABLE unsubscribe_tokens").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["unsubscribe_links", "mail_budgets", "mail_stop_tokens", "mail_suppressions", "mail_sends"] {
            try await database.sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
        }
    }
}
