import Fluent
import Vapor

/// The conversation under a post, as pages: comments and replies, "helpful", a question's accepted
/// answer, and reporting. All of it needs a signed-in member; every form falls back to the post's page.
struct CommentsController: RouteCollection {
    let posts = PostsController()

    func boot(routes: any RoutesBuilder) throws {
        let post = routes.grouped(RequireSignInMiddleware()).grouped("posts", ":postID")
        post.post("comments", use: create)
        post.get("comments", ":commentID", "edit", use: editForm)
        post.post("comments", ":commentID", "edit", use: update)
        post.post("comments", ":commentID", "delete", use: delete)
        post.post("comments", ":commentID", "accept", use: accept)
        post.post("unaccept", use: unaccept)
        post.post("helpful", use: helpful)
        post.get("report", use: reportForm)
        post.post("report", use: report)
    }

    struct CommentInput: Content {
        var body: String?
        var parent: String?
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let post = try await posts.post(req)
        let input = try req.content.decode(CommentInput.self)
        let parent = try input.parent.flatMap { $0.isEmpty ? nil : $0 }.map { raw in
            guard let id = UUID(uuidString: raw) else { throw PostsError.unknownComment(field: "parent") }
            return id
        }
        do {
            let id = try await Comments.create(on: post.id, parent: parent, body: input.body ?? "", by: user,
                                               baseURL: req.application.guildConfig.baseURL, on: req.db)
            return req.redirect(to: "/posts/\(post.id)#comment-\(id)", redirectType: .normal)
        } catch let error as PostsError {
            var page = try await PostPage.make(req, post, form: .init(body: input.body ?? "", parent: parent))
            page.show(error)
            return try await req.view.render("Posts/show", page).encodeResponse(for: req).with(error)
        }
    }

    func comment(_ req: Request, of post: PostRecord) async throws -> CommentRecord {
        guard let id = req.parameters.get("commentID", as: UUID.self), let comment = try await Comments.find(id, on: req.db),
              comment.post_id == post.id else { throw PostsError.unknownComment(field: "commentId") }
        return comment
    }

    func ownComment(_ req: Request) async throws -> (User, PostRecord, CommentRecord) {
        let user = try req.requireUser()
        let post = try await posts.post(req)
        let comment = try await comment(req, of: post)
        guard comment.author_id == user.id else { throw PostsError.unknownComment(field: "commentId") }
        return (user, post, comment)
    }

    func editForm(req: Request) async throws -> View {
        let (_, post, comment) = try await ownComment(req)
        return try await req.view.render("Posts/comment-edit", CommentEditPage(
            layout: req.layout(title: "Edit your comment"), postID: post.id, postTitle: post.title, commentID: comment.id, body: comment.body))
    }

    func update(req: Request) async throws -> Response {
        let (user, post, comment) = try await ownComment(req)
        let body = try req.content.decode(CommentInput.self).body ?? ""
        do {
            try await Comments.update(comment.id, body: body, by: user, on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/posts/\(post.id)#comment-\(comment.id)", redirectType: .normal)
        } catch let error as PostsError {
            var page = CommentEditPage(layout: req.layout(title: "Edit your comment"), postID: post.id, postTitle: post.title,
                                       commentID: comment.id, body: body)
            page.show(error)
            return try await req.view.render("Posts/comment-edit", page).encodeResponse(for: req).with(error)
        }
    }

    func delete(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let post = try await posts.post(req)
        let comment = try await comment(req, of: post)
        try await Comments.delete(comment.id, by: user, on: req.db)
        req.flash(.success, "The comment is deleted.")
        return req.redirect(to: "/posts/\(post.id)#comments", redirectType: .normal)
    }

    func accept(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let post = try await posts.post(req)
        let comment = try await comment(req, of: post)
        try await Comments.accept(comment.id, on: post.id, by: user, baseURL: req.application.guildConfig.baseURL, on: req.db)
        req.flash(.success, "Marked as the answer.")
        return req.redirect(to: "/posts/\(post.id)#comment-\(comment.id)", redirectType: .normal)
    }

    func unaccept(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let post = try await posts.post(req)
        try await Comments.unaccept(on: post.id, by: user, on: req.db)
        return req.redirect(to: "/posts/\(post.id)#comments", redirectType: .normal)
    }

    /// One button: marks the post helpful, or takes the mark back (`helpful=no`).
    func helpful(req: Request) async throws -> Response {
        struct Input: Content { var helpful: String? }
        let user = try req.requireUser()
        let post = try await posts.post(req)
        if try req.content.decode(Input.self).helpful == "no" {
            _ = try await Comments.unmarkHelpful(post.id, by: user, on: req.db)
        } else {
            _ = try await Comments.markHelpful(post.id, by: user, on: req.db)
        }
        return req.redirect(to: "/posts/\(post.id)", redirectType: .normal)
    }

    func reportPage(_ req: Request, post: PostRecord, commentID: UUID?) async throws -> PostReportPage {
        var excerpt = post.body_html
        if let commentID {
            guard let comment = try await Comments.find(commentID, on: req.db), comment.post_id == post.id else {
                throw PostsError.unknownComment(field: "comment")
            }
            excerpt = comment.body_html
        }
        return PostReportPage(layout: req.layout(title: "Report"), postID: post.id, postTitle: post.title, commentID: commentID, excerptHTML: excerpt)
    }

    func commentParameter(_ raw: String?) throws -> UUID? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else { throw PostsError.unknownComment(field: "comment") }
        return id
    }

    func reportForm(req: Request) async throws -> View {
        let post = try await posts.post(req)
        let page = try await reportPage(req, post: post, commentID: try commentParameter(req.query[String.self, at: "comment"]))
        return try await req.view.render("Posts/report", page)
    }

    func report(req: Request) async throws -> Response {
        struct Input: Content { var reason: String?; var comment: String? }
        let user = try req.requireUser()
        let post = try await posts.post(req)
        let input = try req.content.decode(Input.self)
        let commentID = try commentParameter(input.comment)
        do {
            try await Moderation.report(post.id, comment: commentID, reason: input.reason ?? "", by: user, on: req.db)
            req.flash(.success, "Thank you. The organizers will look at it.")
            return req.redirect(to: "/posts/\(post.id)", redirectType: .normal)
        } catch let error as PostsError {
            var page = try await reportPage(req, post: post, commentID: commentID)
            page.reason = input.reason ?? ""
            page.show(error)
            return try await req.view.render("Posts/report", page).encodeResponse(for: req).with(error)
        }
    }
}

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
