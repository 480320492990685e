import Fluent
import Vapor

/// Members report a post or a comment to the organizers: the form (with the text being reported)
/// and its answer. The organizers' side is `ModerationController`.
struct PostReportsController: RouteCollection {
    let posts = PostsController()

    func boot(routes: any RoutesBuilder) throws {
        let post = routes.grouped(RequireSignInMiddleware()).grouped("posts", ":postID")
        post.get("report", use: reportForm)
        post.post("report", use: report)
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
