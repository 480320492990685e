import Foundation
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    /// The post at this path if the bearer (or a visitor) may see it.
    static func visiblePost(_ raw: String, to user: User?, on request: Request) async throws -> PostRecord {
        guard let id = UUID(uuidString: raw), let post = try await Posts.visible(id, to: user, on: request.db) else { throw PostsError.notFound }
        return post
    }

    static func uuid(_ raw: String?, field: String) throws -> UUID? {
        try raw.map { raw in
            guard let id = UUID(uuidString: raw) else { throw PostsError.unknownComment(field: field) }
            return id
        }
    }

    func listComments(_ input: Operations.ListComments.Input) async throws -> Operations.ListComments.Output {
        let request = try req
        let user = try await APIAuth.optionalUser(request)
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        let threads = try await Comments.threads(of: post.id, on: request.db)
        return .ok(.init(body: .json(.init(items: threads.map { thread in
            var comment = Components.Schemas.Comment(thread.comment, viewer: user)
            comment.replies = thread.replies.map { .init($0, viewer: user) }
            return comment
        }))))
    }

    func createComment(_ input: Operations.CreateComment.Input) async throws -> Operations.CreateComment.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        let parent = try Self.uuid(body.parentId.map { "\($0)" }, field: "parentId")
        let id = try await Comments.create(on: post.id, parent: parent, body: body.body, by: user,
                                           baseURL: request.application.guildConfig.baseURL, on: request.db)
        guard let comment = try await Comments.find(id, on: request.db) else { throw PostsError.unknownComment(field: "commentId") }
        return .created(.init(body: .json(.init(comment, viewer: user))))
    }

    /// The bearer's own comment on a post they can see.
    static func ownComment(post raw: String, comment rawComment: String, by user: User, on request: Request) async throws -> CommentRecord {
        let post = try await visiblePost(raw, to: user, on: request)
        guard let id = UUID(uuidString: rawComment), let comment = try await Comments.find(id, on: request.db), comment.post_id == post.id,
              comment.author_id == user.id else { throw PostsError.unknownComment(field: "commentId") }
        return comment
    }

    func updateComment(_ input: Operations.UpdateComment.Input) async throws -> Operations.UpdateComment.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let comment = try await Self.ownComment(post: "\(input.path.id)", comment: "\(input.path.commentId)", by: user, on: request)
        try await Comments.update(comment.id, body: body.body, by: user, on: request.db)
        guard let updated = try await Comments.find(comment.id, on: request.db) else { throw PostsError.unknownComment(field: "commentId") }
        return .ok(.init(body: .json(.init(updated, viewer: user))))
    }

    func deleteComment(_ input: Operations.DeleteComment.Input) async throws -> Operations.DeleteComment.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        guard let id = UUID(uuidString: "\(input.path.commentId)"), let comment = try await Comments.find(id, on: request.db),
              comment.post_id == post.id else { throw PostsError.unknownComment(field: "commentId") }
        try await Comments.delete(comment.id, by: user, on: request.db)
        return .noContent(.init())
    }

    func markHelpful(_ input: Operations.MarkHelpful.Input) async throws -> Operations.MarkHelpful.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        let count = try await Comments.markHelpful(post.id, by: user, on: request.db)
        return .ok(.init(body: .json(.init(helpful: count, marked: true))))
    }

    func unmarkHelpful(_ input: Operations.UnmarkHelpful.Input) async throws -> Operations.UnmarkHelpful.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        let count = try await Comments.unmarkHelpful(post.id, by: user, on: request.db)
        return .ok(.init(body: .json(.init(helpful: count, marked: false))))
    }

    func acceptAnswer(_ input: Operations.AcceptAnswer.Input) async throws -> Operations.AcceptAnswer.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        guard let comment = try Self.uuid("\(body.commentId)", field: "commentId") else { throw PostsError.unknownComment(field: "commentId") }
        try await Comments.accept(comment, on: post.id, by: user, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .noContent(.init())
    }

    func unacceptAnswer(_ input: Operations.UnacceptAnswer.Input) async throws -> Operations.UnacceptAnswer.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let post = try await Self.visiblePost("\(input.path.id)", to: user, on: request)
        try await Comments.unaccept(on: post.id, by: user, on: request.db)
        return .noContent(.init())
    }

    func getDigest(_ input: Operations.GetDigest.Input) async throws -> Operations.GetDigest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        return .ok(.init(body: .json(.init(weekly: try await Notifications.emails(try user.requireID(), .knowledgeDigest, on: request.db)))))
    }

    func setDigest(_ input: Operations.SetDigest.Input) async throws -> Operations.SetDigest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        try await Notifications.setEmails(try user.requireID(), .knowledgeDigest, body.weekly, on: request.db)
        return .ok(.init(body: .json(.init(weekly: body.weekly))))
    }
}

extension Components.Schemas.Comment {
    /// A hidden comment keeps its place; its text is for its author and organizers only.
    init(_ c: CommentRecord, viewer: User?) {
        let shown = !c.hidden || viewer?.id == c.author_id || viewer?.role.canOrganize == true
        self.init(id: c.id.uuidString, postId: c.post_id.uuidString, parentId: c.parent_id?.uuidString,
                  author: .init(name: c.author_name, slug: c.author_slug), body: shown ? c.body : "", html: shown ? c.body_html : "",
                  createdAt: c.created_at, edited: c.edited, accepted: c.accepted, hidden: c.hidden)
    }
}
