import Fluent
import SQLKit
import Validation
import Vapor

/// What a post is: the seven things members share with each other.
enum PostKind: String, Sendable, CaseIterable, Codable {
    case tip, horrorStory = "horror_story", mistake, triumph, tool, caseStudy = "case_study", question

    var label: String {
        switch self {
        case .tip: "Tip"
        case .horrorStory: "Horror story"
        case .mistake: "Mistake"
        case .triumph: "Triumph"
        case .tool: "Tool"
        case .caseStudy: "Case study"
        case .question: "Question"
        }
    }

    /// Only these may be posted without a name: the ones people would not tell otherwise.
    var mayBeAnonymous: Bool { self == .horrorStory || self == .mistake }
}

enum PostVisibility: String, Sendable, CaseIterable, Codable {
    case `public`, members
}

/// A post as stored, with its author's name when it has one.
struct PostRecord: Decodable, Sendable {
    var id: UUID
    var author_id: UUID?
    var author_name: String?
    var author_slug: String?
    var kind: String
    var title: String
    var body: String
    var problem: String
    var approach: String
    var result: String
    var body_html: String
    var visibility: String
    var referral_id: UUID?
    var created_at: Date
    var updated_at: Date
    var edited: Bool
    var hidden_at: Date?
    var hidden_reason: String?
    /// Helpful marks, and visible comments.
    var helpful: Int
    var comments: Int

    var kindValue: PostKind { PostKind(rawValue: kind) ?? .tip }
    var hidden: Bool { hidden_at != nil }
    var anonymous: Bool { author_id == nil }
    var isPublic: Bool { visibility == PostVisibility.public.rawValue }
}

struct PostNicheTag: Decodable, Encodable, Sendable {
    var post_id: UUID
    var slug: String
    var name: String
}

/// Knowledge posts: written, edited and read here. Anonymous posts keep no trace of their author:
/// no author id, times to the day, and the only rate limit on them is one for the whole Guild.
enum Posts {
    static let columns: SQLQueryString = """
        SELECT p.id, p.author_id, \(AccountsSQL.name(of: "p.author_id")) AS author_name, \(ProfilesSQL.slug(of: "p.author_id")) AS author_slug,
            p.kind, p.title, p.body, p.problem, p.approach,
            p.result, p.body_html, p.visibility, p.referral_id, p.created_at, p.updated_at, p.edited, p.hidden_at, p.hidden_reason,
            (SELECT COUNT(*) FROM post_helpful h WHERE h.post_id = p.id) AS helpful,
            (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = p.id AND c.hidden_at IS NULL) AS comments
        """
    static let selectRecord: SQLQueryString = "\(columns) FROM posts p"

    /// Named posts per account (anonymous ones: `AnonymousPostLimit`, which leaves no trace of who).
    static let perAccount = Throttle(limit: 10, window: 3600)
    /// Accounts in their first day: three named posts (anonymous ones need a day-old account anyway).
    static let newAccount = Throttle(limit: 3, window: 86_400)
    /// Edits within this time of posting do not mark a post edited.
    static let editGrace: TimeInterval = 15 * 60

    static func create(_ draft: PostDraft, by author: User, now: Date = Date(), on db: any Database) async throws -> UUID {
        let (draft, kind, niches) = try await draft.validated(on: db)
        let authorID = try author.requireID()
        if draft.anonymous {
            // A day-old account, so a throwaway cannot post a horror story about a rival a minute after signing up.
            guard author.createdAt.map({ now.timeIntervalSince($0) >= 86_400 }) ?? false else { throw PostsError.tooNewForAnonymous }
        } else if Comments.isNew(author, now: now) {
            do {
                try await newAccount.consume("posts:new:\(authorID)", on: db, now: now)
            } catch CommonError.throttled(let seconds) {
                throw PostsError.newAccountLimit("\(newAccount.limit) posts", retryAfter: seconds)
            }
        } else {
            try await perAccount.consume("posts:\(authorID)", on: db, now: now)
        }
        if let referral = draft.referralID { try await checkReferral(referral, by: author, on: db) }
        // Anonymous: the day only, so the time cannot be matched with other rows' exact times; and on
        // SQLite a random rowid and search id, so the row's place among named posts tells nothing either.
        let stamp = draft.anonymous ? Calendar.utc.startOfDay(for: now) : now
        let id = UUID()
        // Counted in a transaction of its own: on PostgreSQL the post and the count would share a
        // transaction id (xmin) and the count's row names a keyed hash of the author.
        if draft.anonymous {
            try await db.writeTransaction(reportingGeneration: false) { db in try await AnonymousPostLimit.consume(authorID, now: now, on: db) }
        }
        try await db.writeTransaction { db in
            let searchID = draft.anonymous ? try await PostSearchIndex.randomSearchID(on: db) : try await PostSearchIndex.nextSearchID(on: db)
            let rowid: SQLQueryString = db.isSQLite ? "\(bind: searchID), " : ""
            let rowidColumn: SQLQueryString = db.isSQLite ? "rowid, " : ""
            try await db.sql.raw("""
                INSERT INTO posts (\(rowidColumn)id, author_id, kind, title, body, problem, approach, result, body_html, visibility, referral_id,
                    created_at, updated_at, edited, search_id)
                VALUES (\(rowid)\(bind: id), \(bind: draft.anonymous ? nil : authorID), \(bind: kind.rawValue), \(bind: draft.title), \(bind: draft.body),
                    \(bind: draft.problem), \(bind: draft.approach), \(bind: draft.result), \(bind: draft.html(kind: kind)),
                    \(bind: draft.visibility), \(bind: draft.referralID), \(bind: stamp), \(bind: stamp), \(bind: false),
                    \(bind: searchID))
                """).run()
            try await writeNiches(niches, of: id, at: stamp, on: db)
            try await PostSearchIndex.reindex(id, on: db)
        }
        return id
    }

    /// The author edits a named post; kind and anonymity stay as posted.
    static func update(_ id: UUID, with draft: PostDraft, by user: User, now: Date = Date(), on db: any Database) async throws {
        guard let post = try await find(id, on: db), post.author_id == user.id else { throw PostsError.notFound }
        var draft = draft
        draft.kind = post.kind
        draft.anonymous = false
        let (valid, kind, niches) = try await draft.validated(on: db)
        if let referral = valid.referralID, referral != post.referral_id { try await checkReferral(referral, by: user, on: db) }
        let edited = post.edited || now.timeIntervalSince(post.created_at) > editGrace
        try await db.writeTransaction { db in
            try await db.sql.raw("""
                UPDATE posts SET title = \(bind: valid.title), body = \(bind: valid.body), problem = \(bind: valid.problem),
                    approach = \(bind: valid.approach), result = \(bind: valid.result), body_html = \(bind: valid.html(kind: kind)),
                    visibility = \(bind: valid.visibility), referral_id = \(bind: valid.referralID), updated_at = \(bind: now),
                    edited = \(bind: edited)
                WHERE id = \(bind: id)
                """).run()
            try await db.sql.raw("DELETE FROM post_niches WHERE post_id = \(bind: id)").run()
            try await writeNiches(niches, of: id, at: post.created_at, on: db)
            try await PostSearchIndex.reindex(id, on: db)
        }
    }

    /// The author deletes a named post; admins may delete any.
    static func delete(_ id: UUID, by user: User, on db: any Database) async throws {
        guard let post = try await find(id, on: db), post.author_id == user.id || user.role == .admin else { throw PostsError.notFound }
        // Its search entry goes with it (a trigger on SQLite, a cascade on PostgreSQL).
        try await db.writeTransaction { db in try await db.sql.raw("DELETE FROM posts WHERE id = \(bind: post.id)").run() }
    }

    static func writeNiches(_ niches: [NicheResolver.Resolved], of id: UUID, at stamp: Date, on db: any Database) async throws {
        for (position, niche) in niches.enumerated() {
            try await db.sql.raw("""
                INSERT INTO post_niches (post_id, niche_id, position, created_at)
                VALUES (\(bind: id), \(bind: niche.id), \(bind: position + 1), \(bind: stamp))
                """).run()
        }
    }

    /// A case study links a won referral its author gave or received.
    static func checkReferral(_ id: UUID, by user: User, on db: any Database) async throws {
        guard let referral = try await Referrals.visible(id, to: user, on: db),
              referral.giver_id == user.id || referral.receiver_id == user.id else { throw PostsError.unknownReferral }
        guard referral.statusValue == .won else { throw PostsError.referralNotWon }
    }

    static func find(_ id: UUID, on db: any Database) async throws -> PostRecord? {
        try await db.sql.raw("\(selectRecord) WHERE p.id = \(bind: id)").first(decoding: PostRecord.self)
    }

    /// The post if this reader may see it: public ones for everyone, members-only ones for members;
    /// a hidden one only for its named author and for organizers and admins.
    static func visible(_ id: UUID, to viewer: User?, on db: any Database) async throws -> PostRecord? {
        guard let post = try await find(id, on: db), post.isPublic || viewer != nil else { return nil }
        guard !post.hidden || viewer?.role.canOrganize == true || (post.author_id != nil && post.author_id == viewer?.id) else { return nil }
        return post
    }

    /// These posts in this order (a ranked page's cards).
    static func records(_ ids: [UUID], on db: any Database) async throws -> [PostRecord] {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.sql.raw("\(selectRecord) WHERE p.id IN (\(binds: ids))").all(decoding: PostRecord.self)
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    struct Filter: Sendable {
        var kind: PostKind?
        var niche: String?
        /// A member's named posts (never the anonymous ones: they have no author).
        var author: UUID?
        var membersOnlyToo = false
        var limit = 20
        var offset = 0
    }

    /// Newest first. A niche's posts are read from its `post_niches` entries, newest first by their
    /// index (they carry the post's time), so a page stops after 21 posts instead of sorting every
    /// post of the niche (a niche of 1,446 posts among 200,000 took 14 ms that way).
    static func list(_ filter: Filter, on db: any Database) async throws -> [PostRecord] {
        var conditions: [SQLQueryString] = ["p.hidden_at IS NULL"]
        if !filter.membersOnlyToo { conditions.append("p.visibility = 'public'") }
        if let kind = filter.kind { conditions.append("p.kind = \(bind: kind.rawValue)") }
        if let author = filter.author { conditions.append("p.author_id = \(bind: author)") }
        let from: SQLQueryString, order: SQLQueryString
        if let niche = filter.niche {
            from = "post_niches pn JOIN posts p ON p.id = pn.post_id"
            conditions.append("pn.niche_id = \(NichesSQL.id(slug: niche))")
            order = "pn.created_at DESC, pn.post_id"
        } else {
            from = "posts p"
            order = "p.created_at DESC, p.id"
        }
        return try await db.sql.raw("""
            \(columns) FROM \(from) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order) LIMIT \(literal: filter.limit) OFFSET \(literal: filter.offset)
            """).all(decoding: PostRecord.self)
    }

    static func niches(of ids: [UUID], on db: any Database) async throws -> [UUID: [PostNicheTag]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT pn.post_id, \(NichesSQL.slug(of: "pn.niche_id")) AS slug, \(NichesSQL.name(of: "pn.niche_id")) AS name
            FROM post_niches pn WHERE pn.post_id IN (\(binds: ids)) ORDER BY pn.post_id, pn.position
            """).all(decoding: PostNicheTag.self)
        return Dictionary(grouping: rows, by: \.post_id)
    }
}

extension Posts {
    /// Hides a post (when and why: a moderator's step) or shows it again (nil). Call inside a transaction.
    static func setHidden(_ postID: UUID, _ hidden: (at: Date, reason: String)?, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE posts SET hidden_at = \(bind: hidden?.at), hidden_reason = \(bind: hidden?.reason) WHERE id = \(bind: postID)
            """).run()
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

extension NicheLink {
    /// A post's niches; its search entry holds their names.
    static let postNiches = NicheLink(owner: "Knowledge", table: "post_niches", shape: .set(key: "post_id"),
                                      refresh: { ids, db in try await PostSearchIndex.reindex(ids, on: db) })
}
