import Fluent
import SQLKit
import Vapor

/// Keeps the full-text index of posts right, and hides the dialect, as `MemberSearchIndex` does for
/// members: FTS5 ranked with bm25 on SQLite (rowid = `posts.search_id`), weighted tsvectors with a
/// GIN index on PostgreSQL. A post's entry holds its title, its niches, its text and the text of its
/// visible comments; never an author's name, so an anonymous post cannot be found by its writer's.
enum PostSearchIndex {
    /// The post's next search id on SQLite (inside the write transaction, whose lock keeps two writers
    /// from taking the same one); PostgreSQL keys its vectors by the post's id and needs none.
    static func nextSearchID(on db: any Database) async throws -> Int64? {
        guard db.isSQLite else { return nil }
        struct Row: Decodable { var id: Int64 }
        // Counted among the named posts only: the next after an anonymous post's random id would date it.
        // Posts are inserted with this as their rowid too, so SQLite never allocates one after a random one.
        // Each below the random range on its own: a row written with an automatic rowid after an anonymous
        // post (the demo's bulk writer) has a rowid up there but a small search id.
        return (try await db.sql.raw("""
            SELECT MAX(COALESCE((SELECT MAX(search_id) FROM posts WHERE search_id < \(bind: randomBase)), 0),
                       COALESCE((SELECT MAX(rowid) FROM posts WHERE rowid < \(bind: randomBase)), 0)) + 1 AS id
            """).first(decoding: Row.self)?.id) ?? 1
    }

    /// Anonymous posts' search ids (and SQLite rowids) are drawn at random far above the named ones,
    /// so their order says nothing about when they were written.
    static let randomBase: Int64 = 1 << 40

    static func randomSearchID(on db: any Database) async throws -> Int64? {
        guard db.isSQLite else { return nil }
        struct Row: Decodable { var n: Int }
        for _ in 0..<10 {
            let candidate = Int64.random(in: randomBase..<(1 << 52))
            if try await db.sql.raw("SELECT COUNT(*) AS n FROM posts WHERE search_id = \(bind: candidate) OR rowid = \(bind: candidate)")
                .first(decoding: Row.self)?.n == 0 { return candidate }
        }
        throw CommonError.throttled(retryAfter: 1)
    }

    /// Rebuilds the entry of a post from the tables; call in the transaction that changed it.
    static func reindex(_ postID: UUID, on db: any Database) async throws {
        try await reindex([postID], on: db)
    }

    /// Rebuilds these posts' entries in one statement per dialect (the demo writes them 500 at a time).
    /// A long conversation indexes its first 200 comments: enough to find it by what was said.
    /// SQLite gets them in rowid order: FTS5 writes its pending entries out whenever a rowid is lower
    /// than the one before, so 500 posts in the order of their random ids took 2 s instead of 5 ms.
    static func reindex(_ ids: [UUID], on db: any Database) async throws {
        guard !ids.isEmpty else { return }
        if db.isSQLite {
            try await db.sql.raw("DELETE FROM post_search WHERE rowid IN (SELECT search_id FROM posts WHERE id IN (\(binds: ids)))").run()
            try await db.sql.raw("""
                INSERT INTO post_search (rowid, title, niches, body, comments)
                SELECT p.search_id, p.title,
                    COALESCE((SELECT group_concat(\(NichesSQL.name(of: "pn.niche_id")), '; ') FROM post_niches pn WHERE pn.post_id = p.id), ''),
                    p.body || char(10) || p.problem || char(10) || p.approach || char(10) || p.result,
                    COALESCE((SELECT group_concat(c.body, char(10)) FROM post_comments c
                              WHERE c.id IN (SELECT c2.id FROM post_comments c2 WHERE c2.post_id = p.id AND c2.hidden_at IS NULL
                                             ORDER BY c2.created_at LIMIT 200)), '')
                FROM posts p WHERE p.id IN (\(binds: ids)) AND p.search_id IS NOT NULL
                ORDER BY p.search_id
                """).run()
        } else {
            try await db.sql.raw("""
                INSERT INTO post_search_vectors (post_id, search_vector)
                SELECT p.id, setweight(to_tsvector('english', p.title), 'A')
                    || setweight(to_tsvector('english', COALESCE((SELECT string_agg(\(NichesSQL.name(of: "pn.niche_id")), '; ')
                                                                  FROM post_niches pn WHERE pn.post_id = p.id), '')), 'A')
                    || setweight(to_tsvector('english', p.body || E'\\n' || p.problem || E'\\n' || p.approach || E'\\n' || p.result), 'B')
                    || setweight(to_tsvector('english', COALESCE((SELECT string_agg(c.body, E'\\n' ORDER BY c.created_at) FROM (
                           SELECT body, created_at FROM post_comments WHERE post_id = p.id AND hidden_at IS NULL ORDER BY created_at LIMIT 200) c), '')), 'D')
                FROM posts p WHERE p.id IN (\(binds: ids))
                ON CONFLICT (post_id) DO UPDATE SET search_vector = EXCLUDED.search_vector
                """).run()
        }
    }
}

/// What a knowledge list asks for: words to search, or the most helpful posts of the last 30 days.
struct PostQuery: Hashable, Sendable {
    enum Order: String, Sendable, CaseIterable { case latest, helpful }

    var words: [String] = []
    var kind: PostKind?
    var niche: String?
    var membersOnlyToo = false
    var order = Order.latest
    var page = 1
    /// "Most helpful this month" counts marks since the start of this day, 30 days ago; the day is
    /// part of the key, so a cached list does not outlive its window.
    var since = Date.distantPast

    static let perPage = 20

    init(q: String = "", kind: PostKind? = nil, niche: String? = nil, membersOnlyToo: Bool = false, order: Order = .latest,
         page: Int = 1, now: Date = Date()) {
        words = DirectorySearch.searchTerms(DirectorySearch.tokens(q))
        self.kind = kind
        self.niche = niche.flatMap { $0.isEmpty ? nil : $0 }
        self.membersOnlyToo = membersOnlyToo
        self.order = order
        self.page = max(1, page)
        if order == .helpful { since = Calendar.utc.startOfDay(for: now).addingTimeInterval(-30 * 86_400) }
    }

    /// Searching, or listing the most helpful: both are ranked, and cached.
    var isRanked: Bool { !words.isEmpty || order == .helpful }
}

/// A ranked page of post ids and how many there are in all; the page's rows are read fresh.
struct PostHits: Sendable {
    var ids: [UUID]
    var total: Int
}

/// Ranked pages of posts, kept under the knowledge generation (the cache rule: every table these
/// queries read moves it by trigger, migration 026). Only ids and totals are kept; the cards are
/// read for the page each time, so a new comment count or a renamed author needs no invalidation.
typealias PostSearchCache = GenerationCache<PostQuery, PostHits>

enum PostSearch {
    static func hits(_ query: PostQuery, on db: any Database, cache: PostSearchCache? = nil) async throws -> PostHits {
        guard let cache else { return try await uncachedHits(query, on: db) }
        return try await cache.value(for: query, on: db) { try await uncachedHits(query, on: db) }
    }

    static func uncachedHits(_ query: PostQuery, on db: any Database) async throws -> PostHits {
        guard !query.words.isEmpty else { return try await mostHelpful(query, on: db) }
        let first = try await search(query, match: .all(query.words), on: db)
        guard first.total == 0, query.words.count > 1 else { return first }
        return try await search(query, match: .any(try await distinctive(query.words, on: db)), on: db)
    }

    /// A word in more posts than this is left out of an any-word search while a rarer word is there:
    /// "get more customers online" matched nearly every post through "more", and ranking them all took
    /// 300 ms, to list first the posts that say "more" most.
    static let commonWord = 5_000

    /// The words worth an any-word search: those in at most `limit` posts, or else the longest.
    static func distinctive(_ words: [String], limit: Int = commonWord, on db: any Database) async throws -> [String] {
        var rare: [String] = []
        for word in words {
            let match: SQLQueryString = db.isSQLite
                ? "SELECT rowid FROM post_search WHERE post_search MATCH \(bind: DirectorySearch.ftsExpression(.all([word])))"
                : "SELECT post_id FROM post_search_vectors WHERE search_vector @@ to_tsquery('english', \(bind: DirectorySearch.tsQuery(.all([word]))))"
            let count = try await db.sql.raw("SELECT COUNT(*) AS n FROM (\(match) LIMIT \(literal: limit + 1)) s")
                .first(decoding: Count.self)?.n ?? 0
            if count <= limit { rare.append(word) }
        }
        return rare.isEmpty ? [words.max { $0.count < $1.count } ?? words[0]] : rare
    }

    static func filters(_ query: PostQuery) -> [SQLQueryString] {
        var filters: [SQLQueryString] = ["p.hidden_at IS NULL"]
        if !query.membersOnlyToo { filters.append("p.visibility = 'public'") }
        if let kind = query.kind { filters.append("p.kind = \(bind: kind.rawValue)") }
        if let niche = query.niche {
            filters.append("p.id IN (SELECT pn.post_id FROM post_niches pn WHERE pn.niche_id = \(NichesSQL.id(slug: niche)))")
        }
        return filters
    }

    struct ID: Decodable { var id: UUID }
    struct Count: Decodable { var n: Int }

    /// Title and niches outweigh the text, and the text outweighs the comments.
    static let bm25 = "bm25(post_search, 8.0, 6.0, 2.0, 1.0)"

    static func search(_ query: PostQuery, match: DirectorySearch.Match, on db: any Database) async throws -> PostHits {
        let offset = (query.page - 1) * PostQuery.perPage
        let from: SQLQueryString, conditions: [SQLQueryString], order: SQLQueryString
        if db.isSQLite {
            from = "post_search s JOIN posts p ON p.search_id = s.rowid"
            conditions = ["post_search MATCH \(bind: DirectorySearch.ftsExpression(match))"] + filters(query)
            order = "\(unsafeRaw: bm25), s.rowid DESC"
        } else {
            let tsQuery: SQLQueryString = "to_tsquery('english', \(bind: DirectorySearch.tsQuery(match)))"
            from = "post_search_vectors v JOIN posts p ON p.id = v.post_id"
            conditions = ["v.search_vector @@ \(tsQuery)"] + filters(query)
            order = "ts_rank(v.search_vector, \(tsQuery)) DESC, p.created_at DESC, p.id"
        }
        let whereClause = conditions.joined(separator: " AND ")
        let total = try await db.sql.raw("SELECT COUNT(*) AS n FROM \(from) WHERE \(whereClause)").first(decoding: Count.self)?.n ?? 0
        guard total > offset else { return PostHits(ids: [], total: total) }
        let ids = try await db.sql.raw("""
            SELECT p.id FROM \(from) WHERE \(whereClause) ORDER BY \(order) LIMIT \(literal: PostQuery.perPage) OFFSET \(literal: offset)
            """).all(decoding: ID.self).map(\.id)
        return PostHits(ids: ids, total: total)
    }

    /// Posts by helpful marks given since `query.since`, most first; ties by the newest mark.
    static func mostHelpful(_ query: PostQuery, on db: any Database) async throws -> PostHits {
        let offset = (query.page - 1) * PostQuery.perPage
        let conditions = ["h.created_at >= \(bind: query.since)"] + filters(query)
        let whereClause = conditions.joined(separator: " AND ")
        let total = try await db.sql.raw("""
            SELECT COUNT(DISTINCT h.post_id) AS n FROM post_helpful h JOIN posts p ON p.id = h.post_id WHERE \(whereClause)
            """).first(decoding: Count.self)?.n ?? 0
        guard total > offset else { return PostHits(ids: [], total: total) }
        let ids = try await db.sql.raw("""
            SELECT p.id FROM post_helpful h JOIN posts p ON p.id = h.post_id WHERE \(whereClause)
            GROUP BY p.id ORDER BY COUNT(*) DESC, MAX(h.created_at) DESC, p.id
            LIMIT \(literal: PostQuery.perPage) OFFSET \(literal: offset)
            """).all(decoding: ID.self).map(\.id)
        return PostHits(ids: ids, total: total)
    }
}
