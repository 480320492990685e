import Fluent
import SQLKit

/// The requests board: a member posts what they are looking for ("a photographer for a product
/// launch in Denver"), tagged with niches; others answer by suggesting a member with a sentence why;
/// the poster picks one, and that becomes a referral (`referrals.request_id`). A request expires
/// 30 days after it is posted unless its poster extends it. No client details live here: the poster
/// writes the request for the whole board to read, and gives the client's details only when referring.
struct CreateRequests: AsyncMigration {
    var name: String { "023_CreateRequests" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE referral_requests (
                id UUID PRIMARY KEY,
                author_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                title TEXT NOT NULL, details TEXT NOT NULL, city TEXT NOT NULL, remote BOOLEAN NOT NULL,
                status TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, expires_at \(unsafeRaw: timestamp) NOT NULL,
                closed_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("CREATE INDEX referral_requests_open ON referral_requests (status, created_at)").run()
        try await sql.raw("CREATE INDEX referral_requests_author ON referral_requests (author_id, created_at)").run()
        try await sql.raw("""
            CREATE TABLE request_niches (
                request_id UUID NOT NULL REFERENCES referral_requests (id) ON DELETE CASCADE,
                niche_id UUID NOT NULL REFERENCES niches (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                PRIMARY KEY (request_id, niche_id))
            """).run()
        try await sql.raw("CREATE INDEX request_niches_niche ON request_niches (niche_id)").run()
        try await sql.raw("""
            CREATE TABLE request_answers (
                id UUID PRIMARY KEY,
                request_id UUID NOT NULL REFERENCES referral_requests (id) ON DELETE CASCADE,
                author_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                suggested_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                reason TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                UNIQUE (request_id, author_id, suggested_id))
            """).run()
        try await sql.raw("CREATE INDEX request_answers_request ON request_answers (request_id, created_at)").run()
        try await sql.raw("ALTER TABLE referrals ADD COLUMN request_id UUID REFERENCES referral_requests (id) ON DELETE SET NULL").run()
        try await sql.raw("ALTER TABLE referrals ADD COLUMN answer_id UUID REFERENCES request_answers (id) ON DELETE SET NULL").run()
        try await sql.raw("CREATE INDEX referrals_request ON referrals (request_id)").run()
        // The organizer report's cache asks for the ledger's latest change.
        try await sql.raw("CREATE INDEX referrals_updated ON referrals (updated_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX referrals_updated").run()
        try await database.sql.raw("DROP INDEX referrals_request").run()
        try await database.sql.raw("ALTER TABLE referrals DROP COLUMN answer_id").run()
        try await database.sql.raw("ALTER TABLE referrals DROP COLUMN request_id").run()
        for table in ["request_answers", "request_niches", "referral_requests"] {
            try await database.sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
        }
    }
}
