import Taxonomy
import Fluent
import SQLKit
import Vapor

struct MemberSummary: Codable, Sendable {
    var slug: String
    var name: String
    var business: String
    var headline: String
    var city: String
    var niches: [NicheTag]
}

struct DirectoryQuery: Sendable {
    var q = ""
    var niche: String?
    var city: String?
    var remote: Bool?
    var available: Bool?
    var page = 1
    var perPage = 20
}

struct DirectoryResults: Sendable {
    var items: [MemberSummary]
    var total: Int
    var page: Int
    /// When a word matched nothing, the indexed word it was read as ("photgraphy" → "photographi").
    var correctedTo: String?
    var suggestions: [NicheTag]
}

/// Ranked member search: full text over name, business, headline, bio and niches (with synonyms and
/// the words clients use), prefix matching, one typo forgiven against the niche vocabulary. Results
/// may come from a `SearchCache`.
enum DirectorySearch {
    static func search(_ query: DirectoryQuery, on db: any Database, cache: SearchCache? = nil,
                       vocabulary: NicheVocabularyCache? = nil) async throws -> DirectoryResults {
        guard let cache else { return try await uncachedSearch(query, on: db, vocabulary: vocabulary) }
        return try await cache.value(for: SearchKey(query), on: db) { try await uncachedSearch(query, on: db, vocabulary: vocabulary) }
    }

    static func uncachedSearch(_ query: DirectoryQuery, on db: any Database,
                               vocabulary: NicheVocabularyCache? = nil) async throws -> DirectoryResults {
        let words = searchTerms(tokens(query.q))
        guard !words.isEmpty else {
            return try await page(of: query, match: nil, on: db)
        }
        var results = try await page(of: query, match: .all(words), on: db)
        // A word no member uses is a typo until shown otherwise: read it as the niche word it was
        // meant to be before giving up on any word ("hmoe care" finds home care, not every "care").
        if results.total == 0, let corrected = try await correctFromNiches(words, on: db, vocabulary: vocabulary) {
            results = try await page(of: query, match: .all(corrected), on: db)
            if results.total == 0, corrected.count > 1 {
                results = try await page(of: query, match: .any(corrected), on: db)
            }
            if results.total > 0 { results.correctedTo = corrected.joined(separator: " ") }
        }
        // Words that never meet in one profile: members with any of them.
        if results.total == 0, words.count > 1 {
            results = try await page(of: query, match: .any(words), on: db)
        }
        if results.total == 0 { results.suggestions = try await suggestNiches(for: query.q, on: db) }
        return results
    }

    enum Match { case all([String]), any([String]) }

    /// Words that carry no meaning in a client's sentence ("books are a mess", "I need a plumber"),
    /// dropped when the query has others. As prefixes they matched nearly every member (`"a"*`), and
    /// ranking all of them was the slowest search there was.
    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "about", "into",
        "my", "our", "your", "their", "his", "her", "its", "i", "we", "you", "me", "us", "it", "is", "are", "was",
        "were", "be", "been", "am", "this", "that", "these", "those", "need", "needs", "want", "wants", "someone",
        "somebody", "who", "can", "could", "will", "would", "do", "does", "some", "any", "too", "very", "so", "just",
    ]

    /// The query's words without stop words, unless nothing else is left.
    static func searchTerms(_ words: [String]) -> [String] {
        let content = words.filter { !stopWords.contains($0) }
        return content.isEmpty ? words : content
    }

    /// The last word, when it has four letters or more, also matches as a prefix ("photog" finds
    /// photography): it is the one still being typed, as in Meilisearch, Typesense and Algolia.
    /// Shorter ones only as whole words, so "pet" does not rank every "peter" and "petite". Earlier
    /// words are whole (stemming still finds "customers" for "customer"): as prefixes, "business"*
    /// and "small"* merged the lists of every word they begin, 8 ms for "small business lawyer"
    /// where the whole words take 1 ms, and found the same members.
    static func isPrefix(_ word: String) -> Bool { word.count >= 4 }

    /// Each word (quoted for FTS5: a plain term), the last one marked as a prefix when `isPrefix`.
    private static func terms(_ words: [String], quote: String = "", prefix: String) -> [String] {
        words.enumerated().map { index, word in
            quote + word + quote + (index == words.count - 1 && isPrefix(word) ? prefix : "")
        }
    }

    /// Lowercased words of letters and digits; at most eight, so a pasted essay cannot make a huge query.
    static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { !$0.isEmpty }.prefix(8).map { $0 }
    }

    static func filters(_ query: DirectoryQuery, niche includeNiche: Bool = true) -> [SQLQueryString] {
        var filters: [SQLQueryString] = []
        if includeNiche, let niche = query.niche, !niche.isEmpty {
            // Driven by the profile_niches index on niche_id, never a per-profile probe.
            filters.append("p.id IN (SELECT fn.profile_id FROM profile_niches fn WHERE fn.niche_id = (SELECT fnn.id FROM niches fnn WHERE fnn.slug = \(bind: niche)))")
        }
        if let city = query.city?.trimmingCharacters(in: .whitespaces).lowercased(), !city.isEmpty {
            // A prefix range instead of LIKE, so the city index is used: "austin" finds "austin, tx".
            filters.append("p.city_key >= \(bind: city) AND p.city_key < \(bind: city + "\u{FFFF}")")
        }
        if query.remote == true { filters.append("p.remote = \(true)") }
        if query.available == true { filters.append("p.availability = 'available'") }
        return filters
    }

    struct Row: Decodable {
        var id: UUID; var slug: String; var name: String; var business: String; var headline: String; var city: String; var niche_tags: String
    }
    struct Count: Decodable { var n: Int }

    static func page(of query: DirectoryQuery, match: Match?, on db: any Database) async throws -> DirectoryResults {
        let offset = (max(1, query.page) - 1) * query.perPage
        let niche = query.niche.flatMap { $0.isEmpty ? nil : $0 }
        let listsNiche = match == nil && niche != nil
        let filters = self.filters(query, niche: !listsNiche)
        let total: Int, rows: [Row]
        if let match, db.isSQLite, filters.isEmpty {
            // The common case: rank inside FTS5 alone, then read just the page's rows. The ranked
            // subquery scores every match before it yields one, so `guild_rank_rows()` above it is
            // the number of matches (see `SQLiteSearchRank`): one pass where a COUNT made two.
            let expression = ftsExpression(match)
            let ranked = try await db.sql.raw("""
                SELECT p.id, p.slug, u.name, p.business, p.headline, p.city, p.niche_tags, \(unsafeRaw: SQLiteSearchRank.rows)() AS total FROM (
                    SELECT rowid AS sid, \(unsafeRaw: bm25) AS score FROM member_search
                    WHERE member_search MATCH \(bind: expression) ORDER BY score, rowid
                    LIMIT \(literal: query.perPage) OFFSET \(literal: offset)) hits
                JOIN profiles p ON p.search_id = hits.sid JOIN users u ON u.id = p.user_id
                ORDER BY hits.score, hits.sid
                """).all()
            rows = try ranked.map { try $0.decode(model: Row.self) }
            if let first = ranked.first {
                total = try first.decode(column: "total", as: Int.self)
            } else {
                total = offset == 0 ? 0 : try await db.sql.raw("SELECT COUNT(*) AS n FROM member_search WHERE member_search MATCH \(bind: expression)")
                    .first(decoding: Count.self)?.n ?? 0
            }
        } else if let match, !db.isSQLite {
            // Rank and count at once, on two connections: the page's ranking sorts only ids and scores
            // over the narrow vector table (profile rows are read for filters and the page alone; ties
            // go by search id, as on SQLite) while a second backend counts the matches. Counting in the
            // ranking query (COUNT(*) OVER ()) buffered every match, 4.5 of its 21 ms for a word 17,000
            // members use; apart, the page waits for the slower of 16 and 10 ms, at the cost of a second
            // pass over the matches' pages in CPU.
            let tsQuery: SQLQueryString = "to_tsquery('english', \(bind: tsQuery(match)))"
            let conditions = ["v.search_vector @@ \(tsQuery)"] + filters
            let from: SQLQueryString = filters.isEmpty
                ? "member_search_vectors v" : "member_search_vectors v JOIN profiles p ON p.id = v.profile_id"
            let whereClause = conditions.joined(separator: " AND ")
            async let counted = db.sql.raw("SELECT COUNT(*) AS n FROM \(from) WHERE \(whereClause)").first(decoding: Count.self)
            rows = try await db.sql.raw("""
                SELECT p.id, p.slug, u.name, p.business, p.headline, p.city, p.niche_tags FROM (
                    SELECT v.profile_id, ts_rank(v.search_vector, \(tsQuery)) AS score, v.search_id
                    FROM \(from) WHERE \(whereClause)
                    ORDER BY score DESC, v.search_id LIMIT \(literal: query.perPage) OFFSET \(literal: offset)) hits
                JOIN profiles p ON p.id = hits.profile_id JOIN users u ON u.id = p.user_id
                ORDER BY hits.score DESC, hits.search_id
                """).all(decoding: Row.self)
            total = try await counted?.n ?? 0
        } else {
            var conditions = filters
            let from: SQLQueryString, keys: [SQLQueryString]
            switch match {
            case nil where listsNiche:
                // A niche's members, experts first: only that niche's rows are read and sorted.
                // A join, not a subquery: PostgreSQL then plans with the niche's own statistics.
                from = "niches nn JOIN profile_niches pn ON pn.niche_id = nn.id JOIN profiles p ON p.id = pn.profile_id JOIN users u ON u.id = p.user_id"
                conditions.insert("nn.slug = \(bind: niche ?? "")", at: 0)
                keys = ["CASE pn.level WHEN 'expert' THEN 0 WHEN 'experienced' THEN 1 ELSE 2 END", "u.name", "p.slug"]
            case nil:
                // users(name) is indexed, so the first pages of "everyone" need no sort.
                from = "users u JOIN profiles p ON p.user_id = u.id"
                keys = ["u.name", "p.slug"]
            case let match?:  // SQLite with filters; PostgreSQL took the branch above.
                // Ties by search id, as without filters: no member's name is read until the page is known.
                from = "member_search s JOIN profiles p ON p.search_id = s.rowid"
                conditions.insert("member_search MATCH \(bind: ftsExpression(match))", at: 0)
                keys = ["\(unsafeRaw: bm25)", "p.search_id"]
            }
            let whereClause: SQLQueryString = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            if match == nil, conditions.isEmpty {
                total = try await db.sql.raw("SELECT COUNT(*) AS n FROM profiles").first(decoding: Count.self)?.n ?? 0
            } else if listsNiche, filters.isEmpty {
                total = try await db.sql.raw("""
                    SELECT COUNT(*) AS n FROM niches nn JOIN profile_niches pn ON pn.niche_id = nn.id WHERE nn.slug = \(bind: niche ?? "")
                    """).first(decoding: Count.self)?.n ?? 0
            } else {
                total = try await db.sql.raw("SELECT COUNT(*) AS n FROM \(from) \(whereClause)").first(decoding: Count.self)?.n ?? 0
            }
            // Sort ids and keys only, then read the wide columns for the page alone: SQLite reads a
            // late column of a profile (city, tags) through the overflow pages of its bio.
            let named = keys.enumerated().map { "\($1) AS k\(unsafeRaw: String($0))" as SQLQueryString }
            let inner = keys.indices.map { "k\(unsafeRaw: String($0))" as SQLQueryString }
            let outer = keys.indices.map { "page.k\(unsafeRaw: String($0))" as SQLQueryString }
            rows = try await db.sql.raw("""
                SELECT p.id, p.slug, u.name, p.business, p.headline, p.city, p.niche_tags FROM (
                    SELECT p.id AS pid, \(named.joined(separator: ", ")) FROM \(from) \(whereClause)
                    ORDER BY \(inner.joined(separator: ", ")) LIMIT \(literal: query.perPage) OFFSET \(literal: offset)) page
                JOIN profiles p ON p.id = page.pid JOIN users u ON u.id = p.user_id
                ORDER BY \(outer.joined(separator: ", "))
                """).all(decoding: Row.self)
        }
        return DirectoryResults(
            items: rows.map {
                MemberSummary(slug: $0.slug, name: $0.name, business: $0.business, headline: $0.headline, city: $0.city,
                              niches: ProfileTags.decode($0.niche_tags).niches)
            },
            total: total, page: max(1, query.page), correctedTo: nil, suggestions: [])
    }

    /// Columns: name, business, headline, bio, niches. A niche match outweighs a mention in a bio.
    /// `bm25` without its length term (see `SQLiteSearchRank`): it scores a match in a third of the time.
    static let bm25 = "\(SQLiteSearchRank.name)(member_search, 6.0, 3.0, 3.0, 1.0, 10.0)"

    /// `"web" AND "design"*` style FTS5 query; quoting makes every word a plain term.
    static func ftsExpression(_ match: Match) -> String {
        switch match {
        case .all(let words): terms(words, quote: "\"", prefix: "*").joined(separator: " AND ")
        case .any(let words): terms(words, quote: "\"", prefix: "*").joined(separator: " OR ")
        }
    }

    static func tsQuery(_ match: Match) -> String {
        switch match {
        case .all(let words): terms(words, prefix: ":*").joined(separator: " & ")
        case .any(let words): terms(words, prefix: ":*").joined(separator: " | ")
        }
    }
}
