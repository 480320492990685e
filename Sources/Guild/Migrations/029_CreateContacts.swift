import Fluent
import SQLKit

/// Contacts, private to the member who keeps them: the people, their email addresses and phone
/// numbers (normalised, for duplicate detection), tags and niches; follow-ups with a due day; the log
/// of touches; the emails sent to contacts through the outbox (each with a hashed reply token) and
/// the replies read back; per-member settings (reply domain, cooling days per tag); the daily digest
/// ledger; CSV uploads waiting for their column mapping. Outbox messages gain a sender name and a
/// Reply-To, so a member's email leaves in their name and its answer comes back to Guild.
struct CreateContacts: AsyncMigration {
    var name: String { "029_CreateContacts" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE contacts (
                id UUID PRIMARY KEY,
                owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name TEXT NOT NULL, sort_name TEXT NOT NULL, business TEXT NOT NULL, website TEXT NOT NULL,
                met TEXT NOT NULL, notes TEXT NOT NULL,
                member_id UUID REFERENCES users (id) ON DELETE SET NULL,
                last_touch_at \(unsafeRaw: timestamp), last_reply_at \(unsafeRaw: timestamp),
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX contacts_owner_name ON contacts (owner_id, sort_name, id)").run()
        try await sql.raw("""
            CREATE TABLE contact_handles (
                contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
                owner_id UUID NOT NULL,
                kind TEXT NOT NULL, position INTEGER NOT NULL,
                value TEXT NOT NULL, normalized TEXT NOT NULL, types TEXT NOT NULL,
                PRIMARY KEY (contact_id, kind, position))
            """).run()
        try await sql.raw("CREATE INDEX contact_handles_lookup ON contact_handles (owner_id, kind, normalized)").run()
        try await sql.raw("""
            CREATE TABLE contact_tags (
                contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
                owner_id UUID NOT NULL, tag TEXT NOT NULL,
                PRIMARY KEY (contact_id, tag))
            """).run()
        try await sql.raw("CREATE INDEX contact_tags_owner ON contact_tags (owner_id, tag)").run()
        try await sql.raw("""
            CREATE TABLE contact_niches (
                contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
                niche_id UUID NOT NULL REFERENCES niches (id) ON DELETE CASCADE,
                PRIMARY KEY (contact_id, niche_id))
            """).run()
        try await sql.raw("""
            CREATE TABLE followups (
                id UUID PRIMARY KEY,
                owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
                purpose TEXT NOT NULL, due_on TEXT NOT NULL, snoozed_until TEXT,
                emailed_at \(unsafeRaw: timestamp), answered_at \(unsafeRaw: timestamp), done_at \(unsafeRaw: timestamp),
                created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX followups_open ON followups (owner_id, done_at, due_on)").run()
        try await sql.raw("CREATE INDEX followups_contact ON followups (contact_id)").run()
        try await sql.raw("""
            CREATE TABLE contact_touches (
                id UUID PRIMARY KEY,
                owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
                followup_id UUID REFERENCES followups (id) ON DELETE SET NULL,
                kind TEXT NOT NULL, outcome TEXT NOT NULL,
                happened_at \(unsafeRaw: timestamp) NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX contact_touches_contact ON contact_touches (contact_id, happened_at)").run()
        try await sql.raw("""
            CREATE TABLE contact_emails (
                id UUID PRIMARY KEY,
                owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
                followup_id UUID REFERENCES followups (id) ON DELETE SET NULL,
                token_hash TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL, subject TEXT NOT NULL,
                sent_at \(unsafeRaw: timestamp) NOT NULL, answered_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("CREATE INDEX contact_emails_owner ON contact_emails (owner_id, sent_at)").run()
        try await sql.raw("CREATE INDEX contact_emails_contact ON contact_emails (contact_id)").run()
        try await sql.raw("""
            CREATE TABLE mail_receipts (
                message_id TEXT PRIMARY KEY,
                contact_email_id UUID REFERENCES contact_emails (id) ON DELETE SET NULL,
                received_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE contact_settings (
                user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                reply_domain TEXT, cooling_days INTEGER NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE contact_tag_cooling (
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                tag TEXT NOT NULL, days INTEGER NOT NULL,
                PRIMARY KEY (user_id, tag))
            """).run()
        try await sql.raw("""
            CREATE TABLE followup_digest_sends (
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                day TEXT NOT NULL, items INTEGER NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (user_id, day))
            """).run()
        try await sql.raw("""
            CREATE TABLE contact_imports (
                id UUID PRIMARY KEY,
                owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                filename TEXT NOT NULL, content TEXT NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("ALTER TABLE outbox_messages ADD COLUMN from_name TEXT").run()
        try await sql.raw("ALTER TABLE outbox_messages ADD COLUMN reply_to TEXT").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["contact_imports", "followup_digest_sends", "contact_tag_cooling", "contact_settings", "mail_receipts",
                      "contact_emails", "contact_touches", "followups", "contact_niches", "contact_tags", "contact_handles", "contacts"] {
            try await database.sql.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
        try await database.sql.raw("ALTER TABLE outbox_messages DROP COLUMN reply_to").run()
        try await database.sql.raw("ALTER TABLE outbox_messages DROP COLUMN from_name").run()
    }
}
