import Fluent
import SQLKit

/// Knowledge, second part: comments with one level of replies, "helpful" marks, a question's
/// accepted answer, reports and moderation (hidden posts and comments, an audit log), full-text
/// search over posts and their comments, and a cache generation of its own for knowledge pages.
///
/// - Search: an FTS5 table on SQLite (rowid = `posts.search_id`, numbered inside the write lock, as
///   members' are), a tsvector per post with a GIN index on PostgreSQL. Both are derived: rebuilt in
///   the transaction that changes a post, its niches or its comments.
/// - Cache rule: `search_state` row 2 is the knowledge generation. Writes to the tables knowledge's
///   cached reads use move it by trigger, as 016/022 do for the directory (row 1): deferred
///   constraint triggers with a NOTIFY on PostgreSQL, row triggers on SQLite. A comment therefore
///   leaves cached directory pages alone.
/// - Reports name what they report in `target_key` (the post's or the comment's id), so one member
///   has one open report per thing; the audit log keeps no foreign key to what it names, so it
///   outlives a deleted post.
struct CreateConversation: AsyncMigration {
    var name: String { "026_CreateConversation" }

    /// Tables whose writes move the knowledge generation.
    static let watched = ["posts", "post_niches", "post_comments", "post_helpful", "niches"]

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("INSERT INTO search_state (id, generation) VALUES (2, 1)").run()
        try await sql.raw("""
            CREATE TABLE post_comments (
                id UUID PRIMARY KEY,
                post_id UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                parent_id UUID REFERENCES post_comments (id) ON DELETE CASCADE,
                author_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                body TEXT NOT NULL, body_html TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL,
                edited BOOLEAN NOT NULL, accepted BOOLEAN NOT NULL,
                hidden_at \(unsafeRaw: timestamp), hidden_reason TEXT)
            """).run()
        try await sql.raw("CREATE INDEX post_comments_post ON post_comments (post_id, created_at)").run()
        try await sql.raw("CREATE INDEX post_comments_author ON post_comments (author_id, created_at)").run()
        try await sql.raw("CREATE INDEX post_comments_parent ON post_comments (parent_id)").run()
        // A question has at most one accepted answer.
        try await sql.raw("CREATE UNIQUE INDEX post_comments_accepted ON post_comments (post_id) WHERE accepted").run()
        for column in ["search_id BIGINT", "hidden_at \(timestamp)", "hidden_reason TEXT"] {
            try await sql.raw("ALTER TABLE posts ADD COLUMN \(unsafeRaw: column)").run()
        }
        try await sql.raw("""
            CREATE TABLE post_helpful (
                post_id UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (post_id, user_id))
            """).run()
        try await sql.raw("CREATE INDEX post_helpful_recent ON post_helpful (created_at, post_id)").run()
        try await sql.raw("CREATE INDEX post_helpful_user ON post_helpful (user_id)").run()
        try await sql.raw("""
            CREATE TABLE post_reports (
                id UUID PRIMARY KEY,
                post_id UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
                comment_id UUID REFERENCES post_comments (id) ON DELETE CASCADE,
                target_key TEXT NOT NULL,
                reporter_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                reason TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL,
                resolved_at \(unsafeRaw: timestamp), resolved_by UUID REFERENCES users (id) ON DELETE SET NULL, resolution TEXT)
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX post_reports_open ON post_reports (reporter_id, target_key) WHERE resolved_at IS NULL").run()
        try await sql.raw("CREATE INDEX post_reports_queue ON post_reports (resolved_at, created_at)").run()
        try await sql.raw("""
            CREATE TABLE moderation_log (
                id UUID PRIMARY KEY,
                actor_id UUID REFERENCES users (id) ON DELETE SET NULL,
                action TEXT NOT NULL, post_id UUID, comment_id UUID, reason TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX moderation_log_recent ON moderation_log (created_at)").run()

        if database.isSQLite {
            try await sql.raw("""
                UPDATE posts SET search_id = numbered.n FROM (
                    SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS n FROM posts) AS numbered
                WHERE numbered.id = posts.id
                """).run()
            try await sql.raw("CREATE UNIQUE INDEX posts_search_id ON posts (search_id)").run()
            try await sql.raw("""
                CREATE VIRTUAL TABLE post_search USING fts5(
                    title, niches, body, comments,
                    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')
                """).run()
            try await sql.raw("""
                CREATE TRIGGER post_search_delete AFTER DELETE ON posts BEGIN
                    DELETE FROM post_search WHERE rowid = OLD.search_id;
                END
                """).run()
            try await sql.raw("""
                INSERT INTO post_search (rowid, title, niches, body, comments)
                SELECT p.search_id, p.title,
                    COALESCE((SELECT group_concat(n.name, '; ') FROM post_niches pn JOIN niches n ON n.id = pn.niche_id
                              WHERE pn.post_id = p.id), ''),
                    p.body || ' ' || p.problem || ' ' || p.approach || ' ' || p.result, ''
                FROM posts p
                """).run()
            for table in Self.watched {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER knowledge_generation_\(unsafeRaw: table)_\(unsafeRaw: event.lowercased())
                        AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
                        BEGIN UPDATE search_state SET generation = generation + 1 WHERE id = 2; END
                        """).run()
                }
            }
            return
        }
        try await sql.raw("""
            CREATE TABLE post_search_vectors (
                post_id UUID PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
                search_vector TSVECTOR NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX post_search_vectors_gin ON post_search_vectors USING GIN (search_vector)").run()
        try await sql.raw("""
            INSERT INTO post_search_vectors (post_id, search_vector)
            SELECT p.id,
                setweight(to_tsvector('english', p.title), 'A') ||
                setweight(to_tsvector('english', COALESCE((SELECT string_agg(n.name, '; ') FROM post_niches pn
                    JOIN niches n ON n.id = pn.niche_id WHERE pn.post_id = p.id), '')), 'A') ||
                setweight(to_tsvector('english', p.body || ' ' || p.problem || ' ' || p.approach || ' ' || p.result), 'B')
            FROM posts p
            """).run()
        try await sql.raw("""
            CREATE FUNCTION bump_knowledge_generation() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE bumped BIGINT;
            BEGIN
                IF current_setting('guild.knowledge_bumped', true) IS DISTINCT FROM txid_current()::text THEN
                    UPDATE search_state SET generation = generation + 1 WHERE id = 2 RETURNING generation INTO bumped;
                    PERFORM pg_notify('guild_knowledge_' || current_schema(), bumped::text);
                    PERFORM set_config('guild.knowledge_bumped', txid_current()::text, true);
                END IF;
                RETURN NULL;
            END $$
            """).run()
        for table in Self.watched {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER knowledge_generation_\(unsafeRaw: table)
                AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table)
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_knowledge_generation()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        if database.isSQLite {
            for table in Self.watched {
                for event in ["insert", "update", "delete"] {
                    try await sql.raw("DROP TRIGGER knowledge_generation_\(unsafeRaw: table)_\(unsafeRaw: event)").run()
                }
            }
            try await sql.raw("DROP TRIGGER post_search_delete").run()
            try await sql.raw("DROP TABLE post_search").run()
            try await sql.raw("DROP INDEX posts_search_id").run()
        } else {
            for table in Self.watched {
                try await sql.raw("DROP TRIGGER knowledge_generation_\(unsafeRaw: table) ON \(unsafeRaw: table)").run()
            }
            try await sql.raw("DROP FUNCTION bump_knowledge_generation()").run()
            try await sql.raw("DROP TABLE post_search_vectors").run()
        }
        try await sql.raw("DROP TABLE moderation_log").run()
        try await sql.raw("DROP TABLE post_reports").run()
        try await sql.raw("DROP TABLE post_helpful").run()
        for column in ["hidden_reason", "hidden_at", "search_id"] {
            try await sql.raw("ALTER TABLE posts DROP COLUMN \(unsafeRaw: column)").run()
        }
        try await sql.raw("DROP TABLE post_comments").run()
        try await sql.raw("DELETE FROM search_state WHERE id = 2").run()
    }
}
