import Fluent
import SafeMarkdown
import SQLKit
import Validation
import Vapor

/// A comment as stored, with its author's name.
struct CommentRecord: Decodable, Sendable {
    var id: UUID
    var post_id: UUID
    var parent_id: UUID?
    var author_id: UUID
    var author_name: String
    var author_slug: String?
    var body: String
    var body_html: String
    var created_at: Date
    var edited: Bool
    var accepted: Bool
    var hidden_at: Date?
    var hidden_reason: String?

    var hidden: Bool { hidden_at != nil }
}

/// The conversation under a post: comments with one level of replies, "helpful" marks on posts, and
/// a question's accepted answer. Comments are always under the commenter's name (an anonymous
/// post's writer who answers a comment does so by name, and the form says so).
enum Comments {
    static let bodyMax = 5_000
    static let perAccount = Throttle(limit: 30, window: 3600)
    /// Accounts in their first day: five comments an hour.
    static let newAccount = Throttle(limit: 5, window: 3600)

    static let select: SQLQueryString = """
        SELECT c.id, c.post_id, c.parent_id, c.author_id, \(AccountsSQL.name(of: "c.author_id")) AS author_name,
            \(ProfilesSQL.slug(of: "c.author_id")) AS author_slug, c.body, c.body_html,
            c.created_at, c.edited, c.accepted, c.hidden_at, c.hidden_reason
        FROM post_comments c
        """

    static func validBody(_ raw: String) throws -> String {
        try PostsError.checkedText(raw, field: "body", max: bodyMax, what: "The comment", ask: "Write the comment in 1 to \(bodyMax) characters.")
    }

    /// Whether the account is in its first day (posting limits are tighter then).
    static func isNew(_ user: User, now: Date) -> Bool {
        user.createdAt.map { now.timeIntervalSince($0) < 86_400 } ?? true
    }

    /// A member comments on a post, or replies to a comment (a reply to a reply joins the same thread:
    /// one level only). The post's named author and the comment's author hear of it.
    static func create(on postID: UUID, parent: UUID?, body raw: String, by author: User, baseURL: String,
                       now: Date = Date(), on db: any Database) async throws -> UUID {
        let body = try validBody(raw)
        let authorID = try author.requireID()
        guard let post = try await Posts.find(postID, on: db), post.hidden_at == nil else { throw PostsError.notFound }
        var found: CommentRecord?
        if let parent {
            guard let comment = try await find(parent, on: db), comment.post_id == postID else { throw PostsError.unknownComment(field: "parentId") }
            guard !comment.hidden else { throw PostsError.commentHidden }
            found = comment.parent_id == nil ? comment : try await find(comment.parent_id!, on: db)
        }
        let thread = found
        try await consume(author, now: now, on: db)
        let id = UUID()
        let threadID = thread?.id
        try await db.writeTransaction { db in
            try await db.sql.raw("""
                INSERT INTO post_comments (id, post_id, parent_id, author_id, body, body_html, created_at, updated_at, edited, accepted)
                VALUES (\(bind: id), \(bind: postID), \(bind: threadID), \(bind: authorID), \(bind: body),
                    \(bind: SafeMarkdown().html(body)), \(bind: now), \(bind: now), \(bind: false), \(bind: false))
                """).run()
            try await PostSearchIndex.reindex(postID, on: db)
            let title = post.title.prefix(80)
            var told: Set<UUID> = [authorID]
            if let postAuthor = post.author_id, !told.contains(postAuthor) {
                told.insert(postAuthor)
                try await Notifications.notify(postAuthor, .postReplied, .init(
                    title: "\(author.name) commented on “\(title)”", link: "/posts/\(postID)#comment-\(id)",
                    emailBody: "\(author.name) commented on your post on Guild."), from: author.id, baseURL: baseURL, on: db)
            }
            if let thread, !told.contains(thread.author_id) {
                try await Notifications.notify(thread.author_id, .postReplied, .init(
                    title: "\(author.name) replied to your comment on “\(title)”", link: "/posts/\(postID)#comment-\(id)",
                    emailBody: "\(author.name) replied to your comment on Guild."), from: author.id, baseURL: baseURL, on: db)
            }
        }
        return id
    }

    /// Posting limits: 30 comments an hour, 5 in an account's first day.
    static func consume(_ user: User, now: Date, on db: any Database) async throws {
        let id = try user.requireID()
        guard isNew(user, now: now) else {
            try await perAccount.consume("comments:\(id)", on: db, now: now)
            return
        }
        do {
            try await newAccount.consume("comments:new:\(id)", on: db, now: now)
        } catch CommonError.throttled(let seconds) {
            throw PostsError.newAccountLimit("\(newAccount.limit) comments an hour", retryAfter: seconds)
        }
    }

    /// The author changes their comment; after 15 minutes it shows "edited".
    static func update(_ id: UUID, body raw: String, by user: User, now: Date = Date(), on db: any Database) async throws {
        let body = try validBody(raw)
        guard let comment = try await find(id, on: db), comment.author_id == user.id else { throw PostsError.unknownComment(field: "commentId") }
        guard !comment.hidden else { throw PostsError.commentHidden }
        let edited = comment.edited || now.timeIntervalSince(comment.created_at) > Posts.editGrace
        try await db.writeTransaction { db in
            try await db.sql.raw("""
                UPDATE post_comments SET body = \(bind: body), body_html = \(bind: SafeMarkdown().html(body)), updated_at = \(bind: now),
                    edited = \(bind: edited) WHERE id = \(bind: id)
                """).run()
            try await PostSearchIndex.reindex(comment.post_id, on: db)
        }
    }

    /// The author (or an admin) deletes a comment, and the replies under it.
    static func delete(_ id: UUID, by user: User, on db: any Database) async throws {
        guard let comment = try await find(id, on: db), comment.author_id == user.id || user.role == .admin else {
            throw PostsError.unknownComment(field: "commentId")
        }
        try await db.writeTransaction { db in
            try await db.sql.raw("DELETE FROM post_comments WHERE id = \(bind: id)").run()
            try await PostSearchIndex.reindex(comment.post_id, on: db)
        }
    }

    static func find(_ id: UUID, on db: any Database) async throws -> CommentRecord? {
        try await db.sql.raw("\(select) WHERE c.id = \(bind: id)").first(decoding: CommentRecord.self)
    }

    /// A post's comments in order, each thread's replies after it.
    static func threads(of postID: UUID, on db: any Database) async throws -> [(comment: CommentRecord, replies: [CommentRecord])] {
        let all = try await db.sql.raw("\(select) WHERE c.post_id = \(bind: postID) ORDER BY c.created_at, c.id")
            .all(decoding: CommentRecord.self)
        let replies = Dictionary(grouping: all.filter { $0.parent_id != nil }, by: { $0.parent_id! })
        return all.filter { $0.parent_id == nil }.map { ($0, replies[$0.id] ?? []) }
    }

    // MARK: Helpful marks

    /// One mark per member and post, never on one's own (an anonymous post's writer cannot be told
    /// apart from anyone else, by design). Marking twice is one mark.
    static func markHelpful(_ postID: UUID, by user: User, now: Date = Date(), on db: any Database) async throws -> Int {
        guard let post = try await Posts.find(postID, on: db), post.hidden_at == nil else { throw PostsError.notFound }
        guard post.author_id != user.id else { throw PostsError.ownPost }
        try await db.writeTransaction { db in
            try await db.sql.raw("""
                INSERT INTO post_helpful (post_id, user_id, created_at) VALUES (\(bind: postID), \(bind: try user.requireID()), \(bind: now))
                ON CONFLICT (post_id, user_id) DO NOTHING
                """).run()
        }
        return try await helpfulCount(postID, on: db)
    }

    static func unmarkHelpful(_ postID: UUID, by user: User, on db: any Database) async throws -> Int {
        guard let post = try await Posts.find(postID, on: db), post.hidden_at == nil else { throw PostsError.notFound }
        try await db.writeTransaction { db in
            try await db.sql.raw("DELETE FROM post_helpful WHERE post_id = \(bind: post.id) AND user_id = \(bind: try user.requireID())").run()
        }
        return try await helpfulCount(postID, on: db)
    }

    static func helpfulCount(_ postID: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM post_helpful WHERE post_id = \(bind: postID)").first(decoding: Row.self)?.n ?? 0
    }

    static func markedHelpful(_ postID: UUID, by user: User?, on db: any Database) async throws -> Bool {
        guard let id = user?.id else { return false }
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM post_helpful WHERE post_id = \(bind: postID) AND user_id = \(bind: id)")
            .first(decoding: Row.self).map { $0.n > 0 } ?? false
    }

    // MARK: Accepted answers

    /// The asker accepts a comment on their question (not a reply, not their own); one at a time.
    static func accept(_ commentID: UUID, on postID: UUID, by user: User, baseURL: String, on db: any Database) async throws {
        guard let post = try await Posts.find(postID, on: db), post.hidden_at == nil else { throw PostsError.notFound }
        guard post.kindValue == .question else { throw PostsError.notAQuestion }
        guard post.author_id == user.id else { throw PostsError.notTheAsker }
        guard let comment = try await find(commentID, on: db), comment.post_id == postID else {
            throw PostsError.unknownComment(field: "commentId")
        }
        guard comment.parent_id == nil else { throw PostsError.answerIsReply }
        guard comment.author_id != user.id else { throw PostsError.ownAnswer }
        guard !comment.hidden else { throw PostsError.commentHidden }
        guard !comment.accepted else { return }
        try await db.writeTransaction { db in
            // Two accepts at once would both clear and then collide on the one-accepted index.
            try await db.lock("accepted:\(postID)")
            try await db.sql.raw("UPDATE post_comments SET accepted = \(bind: false) WHERE post_id = \(bind: postID) AND accepted").run()
            try await db.sql.raw("UPDATE post_comments SET accepted = \(bind: true) WHERE id = \(bind: commentID)").run()
            try await Notifications.notify(comment.author_id, .answerAccepted, .init(
                title: "\(user.name) accepted your answer to “\(post.title.prefix(80))”", link: "/posts/\(postID)#comment-\(commentID)",
                emailBody: "\(user.name) marked your comment as the answer to their question on Guild. Thank you for helping."),
                from: user.id, baseURL: baseURL, on: db)
        }
    }

    /// The asker takes the acceptance back.
    static func unaccept(on postID: UUID, by user: User, on db: any Database) async throws {
        guard let post = try await Posts.find(postID, on: db), post.hidden_at == nil else { throw PostsError.notFound }
        guard post.kindValue == .question else { throw PostsError.notAQuestion }
        guard post.author_id == user.id else { throw PostsError.notTheAsker }
        try await db.writeTransaction { db in
            try await db.sql.raw("UPDATE post_comments SET accepted = \(bind: false) WHERE post_id = \(bind: postID) AND accepted").run()
        }
    }
}

extension Comments {
    /// Hides a comment (a hidden answer is no longer the accepted one) or shows it again (nil); its text
    /// leaves or rejoins the post's search entry. Call inside a transaction.
    static func setHidden(_ commentID: UUID, of postID: UUID, _ hidden: (at: Date, reason: String)?, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE post_comments SET hidden_at = \(bind: hidden?.at), hidden_reason = \(bind: hidden?.reason),
                accepted = CASE WHEN \(bind: hidden != nil) THEN \(bind: false) ELSE accepted END
            WHERE id = \(bind: commentID)
            """).run()
        try await PostSearchIndex.reindex(postID, on: db)
    }
}
