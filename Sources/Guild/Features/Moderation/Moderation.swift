import Fluent
import SQLKit
import Validation
import Vapor

struct ReportRecord: Decodable, Sendable {
    var id: UUID
    var post_id: UUID
    var comment_id: UUID?
    var reporter_name: String
    var reason: String
    var created_at: Date
    var post_title: String
    /// What is reported, as written (the comment's text, or the start of the post's).
    var excerpt: String
    var hidden: Bool
}

struct ModerationLogRecord: Decodable, Sendable {
    var id: UUID
    var actor_name: String?
    var action: String
    var post_id: UUID?
    var comment_id: UUID?
    var reason: String
    var created_at: Date
}

/// Members report posts and comments; organizers and admins hide or restore them, or dismiss a
/// report, always with a reason, and every such step goes in the audit log. A hidden post or comment
/// leaves lists, feeds and search; its named author still sees it, with the reason.
enum Moderation {
    static let reasonMax = 500
    static let reportsPerAccount = Throttle(limit: 20, window: 3600)

    enum Action: String, Sendable, CaseIterable { case hide, restore }

    static func validReason(_ raw: String) throws -> String {
        try PostsError.checkedText(raw, field: "reason", max: reasonMax, what: "The reason", ask: "Give a reason in 1 to \(reasonMax) characters.")
    }

    /// A member reports a post or one of its comments. Reporting the same thing again while the first
    /// report is open changes nothing.
    static func report(_ postID: UUID, comment commentID: UUID?, reason raw: String, by user: User, now: Date = Date(),
                       on db: any Database) async throws {
        let reason = try validReason(raw)
        guard try await Posts.visible(postID, to: user, on: db) != nil else { throw PostsError.notFound }
        if let commentID {
            guard let comment = try await Comments.find(commentID, on: db), comment.post_id == postID else {
                throw PostsError.unknownComment(field: "commentId")
            }
        }
        let userID = try user.requireID()
        try await reportsPerAccount.consume("reports:\(userID)", on: db, now: now)
        try await db.sql.raw("""
            INSERT INTO post_reports (id, post_id, comment_id, target_key, reporter_id, reason, created_at)
            VALUES (\(bind: UUID()), \(bind: postID), \(bind: commentID), \(bind: (commentID ?? postID).uuidString), \(bind: userID),
                \(bind: reason), \(bind: now))
            ON CONFLICT (reporter_id, target_key) WHERE resolved_at IS NULL DO NOTHING
            """).run()
    }

    /// Open reports, oldest first.
    static func openReports(limit: Int = 100, on db: any Database) async throws -> [ReportRecord] {
        try await db.sql.raw("""
            SELECT r.id, r.post_id, r.comment_id, \(AccountsSQL.name(of: "r.reporter_id")) AS reporter_name, r.reason, r.created_at,
                \(PostsSQL.title(of: "r.post_id")) AS post_title,
                COALESCE(\(CommentsSQL.body(of: "r.comment_id")), \(PostsSQL.text(of: "r.post_id"))) AS excerpt,
                CASE WHEN COALESCE(\(CommentsSQL.hiddenAt(of: "r.comment_id")), \(PostsSQL.hiddenAt(of: "r.post_id"))) IS NULL
                     THEN \(bind: false) ELSE \(bind: true) END AS hidden
            FROM post_reports r
            WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT \(literal: limit)
            """).all(decoding: ReportRecord.self)
    }

    /// An organizer hides or restores a post; the open reports about it are resolved with the same step.
    static func moderatePost(_ postID: UUID, _ action: Action, reason raw: String, by moderator: User, now: Date = Date(),
                             on db: any Database) async throws {
        let reason = try validReason(raw)
        guard moderator.role.canOrganize else { throw CommonError.forbidden }
        guard try await Posts.find(postID, on: db) != nil else { throw PostsError.notFound }
        try await db.writeTransaction { db in
            try await Posts.setHidden(postID, action == .hide ? (now, reason) : nil, on: db)
            try await resolve(target: postID, as: action.rawValue, by: moderator, now: now, on: db)
            try await log(action.rawValue + "_post", post: postID, comment: nil, reason: reason, by: moderator, now: now, on: db)
        }
    }

    /// An organizer hides or restores a comment; its text leaves (or rejoins) the post's search entry.
    static func moderateComment(_ commentID: UUID, _ action: Action, reason raw: String, by moderator: User, now: Date = Date(),
                                on db: any Database) async throws {
        let reason = try validReason(raw)
        guard moderator.role.canOrganize else { throw CommonError.forbidden }
        guard let comment = try await Comments.find(commentID, on: db) else { throw PostsError.unknownComment(field: "commentId") }
        try await db.writeTransaction { db in
            try await Comments.setHidden(commentID, of: comment.post_id, action == .hide ? (now, reason) : nil, on: db)
            try await resolve(target: commentID, as: action.rawValue, by: moderator, now: now, on: db)
            try await log(action.rawValue + "_comment", post: comment.post_id, comment: commentID, reason: reason, by: moderator, now: now, on: db)
        }
    }

    /// An organizer closes a report without acting on what it names.
    static func dismiss(_ reportID: UUID, reason raw: String, by moderator: User, now: Date = Date(), on db: any Database) async throws {
        let reason = try validReason(raw)
        guard moderator.role.canOrganize else { throw CommonError.forbidden }
        struct Row: Decodable { var post_id: UUID; var comment_id: UUID? }
        guard let report = try await db.sql.raw("""
            SELECT post_id, comment_id FROM post_reports WHERE id = \(bind: reportID) AND resolved_at IS NULL
            """).first(decoding: Row.self) else { throw PostsError.unknownReport }
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("""
                UPDATE post_reports SET resolved_at = \(bind: now), resolved_by = \(bind: moderator.id), resolution = 'dismissed'
                WHERE id = \(bind: reportID)
                """).run()
            try await log("dismiss_report", post: report.post_id, comment: report.comment_id, reason: reason, by: moderator, now: now, on: db)
        }
    }

    static func resolve(target: UUID, as resolution: String, by moderator: User, now: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE post_reports SET resolved_at = \(bind: now), resolved_by = \(bind: moderator.id), resolution = \(bind: resolution)
            WHERE target_key = \(bind: target.uuidString) AND resolved_at IS NULL
            """).run()
    }

    static func log(_ action: String, post: UUID?, comment: UUID?, reason: String, by moderator: User, now: Date,
                    on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO moderation_log (id, actor_id, action, post_id, comment_id, reason, created_at)
            VALUES (\(bind: UUID()), \(bind: moderator.id), \(bind: action), \(bind: post), \(bind: comment), \(bind: reason), \(bind: now))
            """).run()
    }

    /// The audit log, newest first.
    static func recentLog(limit: Int = 100, on db: any Database) async throws -> [ModerationLogRecord] {
        try await db.sql.raw("""
            SELECT m.id, \(AccountsSQL.name(of: "m.actor_id")) AS actor_name, m.action, m.post_id, m.comment_id, m.reason, m.created_at
            FROM moderation_log m
            ORDER BY m.created_at DESC, m.id LIMIT \(literal: limit)
            """).all(decoding: ModerationLogRecord.self)
    }
}
