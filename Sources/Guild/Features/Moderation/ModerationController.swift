import Fluent
import Vapor

/// Organizers and admins: open reports, hide and restore posts and comments with a reason, dismiss
/// reports, and the audit log of all of it.
struct ModerationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("organize", "moderation", use: index)
        routes.post("organize", "moderation", "reports", ":reportID", "dismiss", use: dismiss)
        routes.post("posts", ":postID", "moderate", use: moderatePost)
        routes.post("posts", ":postID", "comments", ":commentID", "moderate", use: moderateComment)
    }

    func index(req: Request) async throws -> View {
        let reports = try await Moderation.openReports(on: req.db)
        let log = try await Moderation.recentLog(limit: 50, on: req.db)
        return try await req.view.render("Posts/moderation", ModerationPage(
            layout: req.layout(title: "Moderation"),
            reports: reports.map {
                .init(id: $0.id, postID: $0.post_id, commentID: $0.comment_id, postTitle: $0.post_title, excerpt: String($0.excerpt.prefix(300)),
                      reporter: $0.reporter_name, reason: $0.reason, reported: $0.created_at.shortDisplay, hidden: $0.hidden)
            },
            log: log.map {
                .init(who: $0.actor_name ?? "A former organizer", action: $0.action.replacingOccurrences(of: "_", with: " "),
                      postID: $0.post_id, reason: $0.reason, when: $0.created_at.shortDisplay)
            }))
    }

    struct Input: Content { var action: String?; var reason: String?; var back: String? }

    func action(_ input: Input) throws -> Moderation.Action {
        guard let action = input.action.flatMap(Moderation.Action.init(rawValue:)) else {
            throw PostsError.invalid(field: "action", "Choose hide or restore.")
        }
        return action
    }

    /// Back to the moderation page or the post, whichever the form came from.
    func back(_ input: Input, post: UUID) -> String {
        input.back == "moderation" ? "/organize/moderation" : "/posts/\(post)"
    }

    func moderatePost(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("postID", as: UUID.self) else { throw PostsError.notFound }
        let input = try req.content.decode(Input.self)
        do {
            try await Moderation.moderatePost(id, try action(input), reason: input.reason ?? "", by: user, on: req.db)
            req.flash(.success, input.action == "hide" ? "The post is hidden." : "The post is back.")
        } catch let error as PostsError where error.status == .unprocessableEntity {
            req.flash(.error, error.reason)
        }
        return req.redirect(to: back(input, post: id), redirectType: .normal)
    }

    func moderateComment(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let postID = req.parameters.get("postID", as: UUID.self), let id = req.parameters.get("commentID", as: UUID.self),
              let comment = try await Comments.find(id, on: req.db), comment.post_id == postID else {
            throw PostsError.unknownComment(field: "commentId")
        }
        let input = try req.content.decode(Input.self)
        do {
            try await Moderation.moderateComment(id, try action(input), reason: input.reason ?? "", by: user, on: req.db)
            req.flash(.success, input.action == "hide" ? "The comment is hidden." : "The comment is back.")
        } catch let error as PostsError where error.status == .unprocessableEntity {
            req.flash(.error, error.reason)
        }
        return req.redirect(to: back(input, post: postID), redirectType: .normal)
    }

    func dismiss(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("reportID", as: UUID.self) else { throw PostsError.unknownReport }
        let input = try req.content.decode(Input.self)
        do {
            try await Moderation.dismiss(id, reason: input.reason ?? "", by: user, on: req.db)
            req.flash(.success, "The report is dismissed.")
        } catch let error as PostsError where error.status == .unprocessableEntity {
            req.flash(.error, error.reason)
        }
        return req.redirect(to: "/organize/moderation", redirectType: .normal)
    }
}
