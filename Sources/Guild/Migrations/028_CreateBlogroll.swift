import Fluent
import SQLKit

/// The blogroll: blogs (one row per feed address, with what the fetcher last learned of it),
/// members' recommendations of them (their own blog, or someone else's with a sentence why) tagged
/// with niches, and the latest items the fetcher read from each feed, as plain text.
struct CreateBlogroll: AsyncMigration {
    var name: String { "028_CreateBlogroll" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE blogs (
                id UUID PRIMARY KEY,
                feed_url TEXT NOT NULL, site_url TEXT NOT NULL, title TEXT NOT NULL,
                etag TEXT, last_modified TEXT,
                fetched_at \(unsafeRaw: timestamp), fetch_lease_until \(unsafeRaw: timestamp),
                failures INTEGER NOT NULL, last_error TEXT,
                created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX blogs_feed ON blogs (feed_url)").run()
        try await sql.raw("CREATE INDEX blogs_due ON blogs (fetched_at)").run()
        try await sql.raw("""
            CREATE TABLE blog_recommendations (
                id UUID PRIMARY KEY,
                blog_id UUID NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                own BOOLEAN NOT NULL, reason TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                UNIQUE (member_id, blog_id))
            """).run()
        try await sql.raw("CREATE INDEX blog_recommendations_blog ON blog_recommendations (blog_id)").run()
        try await sql.raw("""
            CREATE TABLE blog_recommendation_niches (
                recommendation_id UUID NOT NULL REFERENCES blog_recommendations (id) ON DELETE CASCADE,
                niche_id UUID NOT NULL REFERENCES niches (id) ON DELETE CASCADE,
                PRIMARY KEY (recommendation_id, niche_id))
            """).run()
        try await sql.raw("CREATE INDEX blog_recommendation_niches_niche ON blog_recommendation_niches (niche_id)").run()
        try await sql.raw("""
            CREATE TABLE blog_items (
                id UUID PRIMARY KEY,
                blog_id UUID NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
                guid TEXT NOT NULL, title TEXT NOT NULL, link TEXT NOT NULL, summary TEXT NOT NULL,
                published_at \(unsafeRaw: timestamp), fetched_at \(unsafeRaw: timestamp) NOT NULL,
                UNIQUE (blog_id, guid))
            """).run()
        try await sql.raw("CREATE INDEX blog_items_recent ON blog_items (blog_id, published_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["blog_items", "blog_recommendation_niches", "blog_recommendations", "blogs"] {
            try await database.sql.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
    }
}
