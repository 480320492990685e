import Fluent
import SQLKit

/// Testimonials exist only from won referrals: one per referral and author, about the other party.
/// Profiles show them and profile pages are cached, so writes here move the directory generation
/// like every table a cached page reads (the triggers of migration 016, the same function on
/// PostgreSQL).
struct CreateTestimonials: AsyncMigration {
    var name: String { "021_CreateTestimonials" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE testimonials (
                id UUID PRIMARY KEY,
                referral_id UUID NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
                author_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                subject_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                text TEXT NOT NULL, niche TEXT NOT NULL, hidden BOOLEAN NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                UNIQUE (referral_id, author_id))
            """).run()
        try await sql.raw("CREATE INDEX testimonials_subject ON testimonials (subject_id, created_at)").run()
        if database.isSQLite {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER directory_generation_testimonials_\(unsafeRaw: event.lowercased())
                    AFTER \(unsafeRaw: event) ON testimonials BEGIN UPDATE search_state SET generation = generation + 1 WHERE id = 1; END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE TRIGGER directory_generation_testimonials AFTER INSERT OR UPDATE OR DELETE
                ON testimonials FOR EACH ROW EXECUTE FUNCTION bump_directory_generation()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE IF EXISTS testimonials").run()
    }
}
