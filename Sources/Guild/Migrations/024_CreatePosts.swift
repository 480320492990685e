import Fluent
import SQLKit

/// Knowledge exchange: posts of seven kinds with Markdown bodies (the HTML is rendered once, by
/// `SafeMarkdown`, and stored), one to five niche tags, public or members only. An anonymous post
/// (horror stories and mistakes only) stores no author at all: `author_id` is NULL and nothing else
/// in the row points to the account; its times are kept to the day, so they cannot be matched
/// against other rows' exact times. A case study may link a won referral of its author's.
struct CreatePosts: AsyncMigration {
    var name: String { "024_CreatePosts" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE posts (
                id UUID PRIMARY KEY,
                author_id UUID REFERENCES users (id) ON DELETE CASCADE,
                kind TEXT NOT NULL, title TEXT NOT NULL,
                body TEXT NOT NULL, problem TEXT NOT NULL, approach TEXT NOT NULL, result TEXT NOT NULL,
                body_html TEXT NOT NULL,
                visibility TEXT NOT NULL,
                referral_id UUID REFERENCES referrals (id) ON DELETE SET NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL,
                edited BOOLEAN NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX posts_latest ON posts (created_at)").run()
        try await sql.raw("CREATE INDEX posts_kind ON posts (kind, created_at)").run()
        try await sql.raw("CREATE INDEX posts_author ON posts (author_id, created_at)").run()
        try await sql.raw("""
            CREATE TABLE post_niches (
                post_id UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                niche_id UUID NOT NULL REFERENCES niches (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (post_id, niche_id))
            """).run()
        try await sql.raw("CREATE INDEX post_niches_niche ON post_niches (niche_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP TABLE IF EXISTS post_niches").run()
        try await database.sql.raw("DROP TABLE IF EXISTS posts").run()
    }
}
