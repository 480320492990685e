import Fluent
import SQLKit

/// Disciplines: what a member keeps doing, a row per logged day, pauses, the member's time zone,
/// an accountability partner, cheers, a reading list, "what I implemented", and the weekly summary's
/// sends.
/// - `discipline_days.day` is the member's own calendar day as `YYYY-MM-DD` text (no time, no zone):
///   it sorts, compares and reads the same on both databases, and a DST change cannot move it.
/// - `discipline_partners`: one open request or partnership per member (a partial unique index);
///   ended and declined rows stay as history.
/// - `discipline_cheers`: one cheer per partner, member and day (the primary key), so a double tap
///   is one cheer.
/// - `discipline_summary_sends`: one row per member and week, inserted in the transaction that queues
///   the email, so several servers send each weekly summary once.
struct CreateDisciplines: AsyncMigration {
    var name: String { "036_CreateDisciplines" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE disciplines (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name TEXT NOT NULL, kind TEXT NOT NULL, target INTEGER NOT NULL,
                niche_id UUID REFERENCES niches (id) ON DELETE SET NULL, tag TEXT NOT NULL,
                position INTEGER NOT NULL, starts_on TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX disciplines_member ON disciplines (member_id, position)").run()
        try await sql.raw("""
            CREATE TABLE discipline_days (
                discipline_id UUID NOT NULL REFERENCES disciplines (id) ON DELETE CASCADE,
                day TEXT NOT NULL, value INTEGER NOT NULL, note TEXT NOT NULL, link TEXT NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (discipline_id, day))
            """).run()
        try await sql.raw("""
            CREATE TABLE discipline_pauses (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, reason TEXT NOT NULL, note TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX discipline_pauses_member ON discipline_pauses (member_id, starts_on)").run()
        try await sql.raw("""
            CREATE TABLE discipline_settings (
                member_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                time_zone TEXT NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE discipline_partners (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                partner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                status TEXT NOT NULL, message TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, responded_at \(unsafeRaw: timestamp), ended_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("""
            CREATE UNIQUE INDEX discipline_partners_open ON discipline_partners (member_id) WHERE status IN ('asked', 'accepted')
            """).run()
        try await sql.raw("CREATE INDEX discipline_partners_partner ON discipline_partners (partner_id, status)").run()
        try await sql.raw("""
            CREATE TABLE discipline_cheers (
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                partner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                day TEXT NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (member_id, partner_id, day))
            """).run()
        try await sql.raw("""
            CREATE TABLE reading_list (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                title TEXT NOT NULL, author TEXT NOT NULL, status TEXT NOT NULL, notes TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX reading_list_member ON reading_list (member_id, status)").run()
        try await sql.raw("""
            CREATE TABLE implementations (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                book_id UUID REFERENCES reading_list (id) ON DELETE SET NULL,
                title TEXT NOT NULL, what TEXT NOT NULL, result TEXT NOT NULL, day TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX implementations_member ON implementations (member_id, day)").run()
        try await sql.raw("""
            CREATE TABLE discipline_summary_sends (
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                week TEXT NOT NULL, created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (member_id, week))
            """).run()
    }

    func revert(on database: any Database) async throws {
        for table in ["discipline_summary_sends", "implementations", "reading_list", "discipline_cheers", "discipline_partners",
                      "discipline_settings", "discipline_pauses", "discipline_days", "disciplines"] {
            try await database.sql.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
    }
}
