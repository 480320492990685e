import Fluent
import Vapor

/// The conversation under a post, as pages: comments and replies, "helpful", a question's accepted
/// answer (reporting is `PostReportsController`). All of it needs a signed-in member; every form falls back to the post's page.
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
}
