import Foundation
import OpenAPIRuntime
import Vapor

/// Reporting a post or comment through the API, and organizers and admins: open reports, dismissing them, hiding and restoring posts and
/// comments, and the log.
extension GuildAPI {
    func reportPost(_ input: Operations.ReportPost.Input) async throws -> Operations.ReportPost.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        let comment = try Self.uuid(body.commentId.map { "\($0)" }, field: "commentId")
        try await Moderation.report(post.id, comment: comment, reason: body.reason, by: user, on: request.db)
        return .noContent(.init())
    }

    static func requireModerator(_ request: Request) async throws -> User {
        let user = try await APIAuth.requireUser(request)
        guard user.role.canOrganize else { throw CommonError.forbidden }
        return user
    }

    func listReports(_ input: Operations.ListReports.Input) async throws -> Operations.ListReports.Output {
        let request = try req
        _ = try await Self.requireModerator(request)
        let reports = try await Moderation.openReports(on: request.db)
        return .ok(.init(body: .json(.init(items: reports.map {
            .init(id: $0.id.uuidString, postId: $0.post_id.uuidString, commentId: $0.comment_id?.uuidString, postTitle: $0.post_title,
                  excerpt: String($0.excerpt.prefix(300)), reporter: $0.reporter_name, reason: $0.reason, createdAt: $0.created_at,
                  hidden: $0.hidden)
        }))))
    }

    func dismissReport(_ input: Operations.DismissReport.Input) async throws -> Operations.DismissReport.Output {
        let request = try req
        let user = try await Self.requireModerator(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let id = UUID(uuidString: "\(input.path.id)") else { throw PostsError.unknownReport }
        try await Moderation.dismiss(id, reason: body.reason, by: user, on: request.db)
        return .noContent(.init())
    }

    func moderatePost(_ input: Operations.ModeratePost.Input) async throws -> Operations.ModeratePost.Output {
        let request = try req
        let user = try await Self.requireModerator(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let id = UUID(uuidString: "\(input.path.id)"), let action = Moderation.Action(rawValue: body.action.rawValue) else {
            throw PostsError.notFound
        }
        try await Moderation.moderatePost(id, action, reason: body.reason, by: user, on: request.db)
        return .noContent(.init())
    }

    func moderateComment(_ input: Operations.ModerateComment.Input) async throws -> Operations.ModerateComment.Output {
        let request = try req
        let user = try await Self.requireModerator(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let id = UUID(uuidString: "\(input.path.id)"), let action = Moderation.Action(rawValue: body.action.rawValue) else {
            throw PostsError.unknownComment(field: "commentId")
        }
        try await Moderation.moderateComment(id, action, reason: body.reason, by: user, on: request.db)
        return .noContent(.init())
    }

    func moderationLog(_ input: Operations.ModerationLog.Input) async throws -> Operations.ModerationLog.Output {
        let request = try req
        _ = try await Self.requireModerator(request)
        let log = try await Moderation.recentLog(on: request.db)
        return .ok(.init(body: .json(.init(items: log.map {
            .init(id: $0.id.uuidString, actor: $0.actor_name, action: .init(rawValue: $0.action) ?? .hidePost, postId: $0.post_id?.uuidString,
                  commentId: $0.comment_id?.uuidString, reason: $0.reason, createdAt: $0.created_at)
        }))))
    }
}
