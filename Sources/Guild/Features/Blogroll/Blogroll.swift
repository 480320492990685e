import Fluent
import Formats
import SQLKit
import Validation
import Vapor

/// What can go wrong with the blogroll; each names the field at fault.
enum BlogrollError: AppError, Equatable {
    case invalid(field: String, String)
    case notFound
    case unknownNiche(String)
    case tooMany

    var status: HTTPResponseStatus {
        switch self {
        case .invalid: .unprocessableEntity
        case .notFound, .unknownNiche: .notFound
        case .tooMany: .conflict
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .notFound: "not_found"
        case .unknownNiche: "unknown_niche"
        case .tooMany: "too_many"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message): message
        case .notFound: "There is no such recommendation of yours."
        case .unknownNiche(let name): "“\(name.prefix(100))” is not a niche on Guild; choose one from the niche list."
        case .tooMany: "A blogroll holds at most \(Blogroll.perMember) blogs; remove one first."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .unknownNiche: "niches"
        case .notFound, .tooMany: nil
        }
    }
}

/// A blog as a member recommends it.
struct BlogDraft: Sendable {
    var feedURL: String
    var siteURL: String
    var title: String
    var reason: String
    var niches: [String]
    /// The member's own blog: no reason needed.
    var own: Bool
}

struct RecommendationRecord: Decodable, Sendable {
    var id: UUID
    var blog_id: UUID
    var member_id: UUID
    var member_name: String
    var member_slug: String?
    var own: Bool
    var reason: String
    var feed_url: String
    var site_url: String
    var title: String
    var last_error: String?
    var fetched_at: Date?
    var created_at: Date
}

struct BlogItemRecord: Decodable, Sendable {
    var blog_id: UUID
    var blog_title: String
    var title: String
    var link: String
    var summary: String
    var published_at: Date?
}

/// Members' blogs and the blogs they recommend, by niche; exported and imported as OPML.
enum Blogroll {
    static let perMember = 200
    static let reasonMax = 300, titleMax = 200, urlMax = 2_000
    static let perHour = Throttle(limit: 60, window: 3600)

    /// The addresses a blogroll takes, exactly as the API document's pattern says: http(s), a host name
    /// or IPv4 address, a port (1 to 65535), a path and query of URL characters (percent escapes
    /// included), no credentials and no fragment. Anything the two disagreed on, schemathesis found.
    nonisolated(unsafe) static let urlPattern =
        /[Hh][Tt][Tt][Pp][Ss]?:\/\/[A-Za-z0-9][A-Za-z0-9.-]{0,250}(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(\/([A-Za-z0-9._~!$&()*+,;=:@\/?-]|%[0-9A-Fa-f]{2})*)?/

    /// Such an address with its scheme and host lower-cased; nil when it is not one.
    static func normalizedURL(_ raw: String) -> String? {
        let text = raw.trimmingWhitespace()
        guard text.utf8.count <= urlMax, text.wholeMatch(of: urlPattern) != nil, var parts = URLComponents(string: text),
              let scheme = parts.scheme?.lowercased(), let host = parts.host, !host.isEmpty else { return nil }
        parts.scheme = scheme
        parts.host = host.lowercased()
        if parts.path.isEmpty { parts.path = "/" }
        return parts.string
    }

    static func validated(_ draft: BlogDraft, on db: any Database) async throws -> (BlogDraft, [NicheResolver.Resolved]) {
        var valid = draft
        guard let feed = normalizedURL(draft.feedURL) else {
            throw BlogrollError.invalid(field: "feedUrl", "Give the feed's address, starting with https:// or http://.")
        }
        valid.feedURL = feed
        if draft.siteURL.trimmingWhitespace().isEmpty {
            var site = URLComponents(string: feed)!
            site.path = "/"
            site.query = nil
            valid.siteURL = site.string ?? feed
        } else {
            guard let site = normalizedURL(draft.siteURL) else {
                throw BlogrollError.invalid(field: "siteUrl", "Give the blog's address, starting with https:// or http://, or leave it empty.")
            }
            valid.siteURL = site
        }
        valid.title = draft.title.trimmingWhitespace()
        if valid.title.isEmpty { valid.title = URLComponents(string: valid.siteURL)?.host ?? feed }
        guard valid.title.unicodeScalars.count <= titleMax else {
            throw BlogrollError.invalid(field: "title", "The blog's name can be at most \(titleMax) characters.")
        }
        if let problem = TextRules.lineProblem(valid.title, what: "The blog's name") { throw BlogrollError.invalid(field: "title", problem) }
        valid.reason = draft.reason.trimmingWhitespace()
        if valid.reason.isEmpty && draft.own { valid.reason = "My own blog." }
        guard !valid.reason.isEmpty, valid.reason.unicodeScalars.count <= reasonMax else {
            throw BlogrollError.invalid(field: "reason", "Say in a sentence (up to \(reasonMax) characters) why members should read it.")
        }
        if let problem = TextRules.textProblem(valid.reason, what: "The reason") { throw BlogrollError.invalid(field: "reason", problem) }
        let typed = draft.niches.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard RequestRules.nicheRange.contains(typed.count) else {
            throw BlogrollError.invalid(field: "niches", "Tag the blog with 1 to \(RequestRules.nicheRange.upperBound) niches.")
        }
        let niches = try await NicheResolver.tags(typed, on: db).mapError { BlogrollError.unknownNiche($0.name) }.get()
        return (valid, niches)
    }

    /// A member recommends a blog (or names their own); recommending the same feed again updates it.
    static func recommend(_ draft: BlogDraft, by member: User, now: Date = Date(), on db: any Database) async throws -> UUID {
        let (valid, niches) = try await validated(draft, on: db)
        let memberID = try member.requireID()
        try await perHour.consume("blogroll:\(memberID)", on: db, now: now)
        return try await db.writeTransaction(reportingGeneration: false) { db in
            struct ID: Decodable { var id: UUID }
            try await db.sql.raw("""
                INSERT INTO blogs (id, feed_url, site_url, title, failures, created_at)
                VALUES (\(bind: UUID()), \(bind: valid.feedURL), \(bind: valid.siteURL), \(bind: valid.title), 0, \(bind: now))
                ON CONFLICT (feed_url) DO NOTHING
                """).run()
            guard let blog = try await db.sql.raw("SELECT id FROM blogs WHERE feed_url = \(bind: valid.feedURL)").first(decoding: ID.self) else {
                throw BlogrollError.notFound
            }
            struct Count: Decodable { var n: Int }
            let count = try await db.sql.raw("SELECT COUNT(*) AS n FROM blog_recommendations WHERE member_id = \(bind: memberID)")
                .first(decoding: Count.self)?.n ?? 0
            let existing = try await db.sql.raw("""
                SELECT id FROM blog_recommendations WHERE member_id = \(bind: memberID) AND blog_id = \(bind: blog.id)
                """).first(decoding: ID.self)
            let id = existing?.id ?? UUID()
            if existing == nil {
                guard count < perMember else { throw BlogrollError.tooMany }
                try await db.sql.raw("""
                    INSERT INTO blog_recommendations (id, blog_id, member_id, own, reason, created_at)
                    VALUES (\(bind: id), \(bind: blog.id), \(bind: memberID), \(bind: valid.own), \(bind: valid.reason), \(bind: now))
                    """).run()
            } else {
                try await db.sql.raw("""
                    UPDATE blog_recommendations SET own = \(bind: valid.own), reason = \(bind: valid.reason) WHERE id = \(bind: id)
                    """).run()
                try await db.sql.raw("DELETE FROM blog_recommendation_niches WHERE recommendation_id = \(bind: id)").run()
            }
            for niche in niches {
                try await db.sql.raw("""
                    INSERT INTO blog_recommendation_niches (recommendation_id, niche_id) VALUES (\(bind: id), \(bind: niche.id))
                    """).run()
            }
            return id
        }
    }

    /// The member takes a recommendation back; a blog nobody recommends any more goes, with its items.
    static func remove(_ id: UUID, by member: User, on db: any Database) async throws {
        struct Row: Decodable { var blog_id: UUID }
        guard let row = try await db.sql.raw("""
            SELECT blog_id FROM blog_recommendations WHERE id = \(bind: id) AND member_id = \(bind: try member.requireID())
            """).first(decoding: Row.self) else { throw BlogrollError.notFound }
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("DELETE FROM blog_recommendations WHERE id = \(bind: id)").run()
            try await db.sql.raw("""
                DELETE FROM blogs WHERE id = \(bind: row.blog_id) AND NOT EXISTS (SELECT 1 FROM blog_recommendations r WHERE r.blog_id = blogs.id)
                """).run()
        }
    }

    static let selectRecommendation: SQLQueryString = """
        SELECT r.id, r.blog_id, r.member_id, \(AccountsSQL.name(of: "r.member_id")) AS member_name,
            \(ProfilesSQL.slug(of: "r.member_id")) AS member_slug, r.own, r.reason, b.feed_url, b.site_url,
            b.title, b.last_error, b.fetched_at, r.created_at
        FROM blog_recommendations r JOIN blogs b ON b.id = r.blog_id
        """

    /// A member's recommendations, their own blog first, then the newest.
    static func of(_ memberID: UUID, on db: any Database) async throws -> [RecommendationRecord] {
        try await db.sql.raw("""
            \(selectRecommendation) WHERE r.member_id = \(bind: memberID) ORDER BY r.own DESC, r.created_at DESC, r.id
            """).all(decoding: RecommendationRecord.self)
    }

    /// The recommendations tagged with a niche, blog by blog (most recommended first).
    static func inNiche(_ slug: String, on db: any Database) async throws -> [RecommendationRecord] {
        try await db.sql.raw("""
            \(selectRecommendation)
            WHERE r.id IN (SELECT rn.recommendation_id FROM blog_recommendation_niches rn WHERE rn.niche_id = \(NichesSQL.id(slug: slug)))
            ORDER BY (SELECT COUNT(*) FROM blog_recommendations o WHERE o.blog_id = r.blog_id) DESC, b.title, r.created_at
            LIMIT 500
            """).all(decoding: RecommendationRecord.self)
    }

    /// "From the blogs": the newest items of the blogs recommended in a niche.
    static func items(inNiche slug: String, limit: Int = 20, on db: any Database) async throws -> [BlogItemRecord] {
        try await db.sql.raw("""
            SELECT i.blog_id, b.title AS blog_title, i.title, i.link, i.summary, i.published_at
            FROM blog_items i JOIN blogs b ON b.id = i.blog_id
            WHERE i.blog_id IN (SELECT r.blog_id FROM blog_recommendations r JOIN blog_recommendation_niches rn ON rn.recommendation_id = r.id
                                WHERE rn.niche_id = \(NichesSQL.id(slug: slug)))
            ORDER BY COALESCE(i.published_at, i.fetched_at) DESC, i.id LIMIT \(literal: limit)
            """).all(decoding: BlogItemRecord.self)
    }

    static func niches(of ids: [UUID], on db: any Database) async throws -> [UUID: [NicheTag]] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { var recommendation_id: UUID; var slug: String; var name: String }
        let rows = try await db.sql.raw("""
            SELECT rn.recommendation_id, \(NichesSQL.slug(of: "rn.niche_id")) AS slug, \(NichesSQL.name(of: "rn.niche_id")) AS name
            FROM blog_recommendation_niches rn WHERE rn.recommendation_id IN (\(binds: ids)) ORDER BY name
            """).all(decoding: Row.self)
        return Dictionary(grouping: rows, by: \.recommendation_id).mapValues { $0.map { NicheTag(slug: $0.slug, name: $0.name) } }
    }

    /// An OPML list of these recommendations, one outline per blog, the reasons joined as its description.
    static func opml(title: String, _ recommendations: [RecommendationRecord], now: Date = Date()) -> String {
        var order: [UUID] = [], byBlog: [UUID: [RecommendationRecord]] = [:]
        for recommendation in recommendations {
            if byBlog[recommendation.blog_id] == nil { order.append(recommendation.blog_id) }
            byBlog[recommendation.blog_id, default: []].append(recommendation)
        }
        let feeds = order.compactMap { id -> OPML.Feed? in
            guard let group = byBlog[id], let first = group.first else { return nil }
            let reasons = group.map { "\($0.member_name): \($0.reason)" }.joined(separator: " · ")
            return OPML.Feed(title: first.title, feedURL: first.feed_url, siteURL: first.site_url, description: reasons)
        }
        return OPML(title: title, feeds: feeds).render(created: now)
    }
}

extension NicheLink {
    /// The niches a member recommends a blog for.
    static let blogRecommendationNiches = NicheLink(owner: "Knowledge", table: "blog_recommendation_niches",
                                                    shape: .set(key: "recommendation_id"))
}
