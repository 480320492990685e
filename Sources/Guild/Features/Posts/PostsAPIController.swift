import Foundation
import OpenAPIRuntime
import Vapor

extension APIAuth {
    /// The bearer's account, nil without a bearer; a bearer that is not a token is still 401.
    static func optionalUser(_ req: Request) async throws -> User? {
        guard req.headers.bearerAuthorization != nil else { return nil }
        return try await requireUser(req)
    }
}

extension GuildAPI {
    func listPosts(_ input: Operations.ListPosts.Input) async throws -> Operations.ListPosts.Output {
        let request = try req
        let user = try await APIAuth.optionalUser(request)
        let page = try Self.checkedPage(input.query.page)
        if let niche = input.query.niche, niche.unicodeScalars.count > 200 {
            throw CommonError.invalidParameter(.init(field: "niche", message: "niche can be at most 200 characters."))
        }
        if let q = input.query.q, q.unicodeScalars.count > 200 {
            throw CommonError.invalidParameter(.init(field: "q", message: "q can be at most 200 characters."))
        }
        let kind = input.query.kind.flatMap { PostKind(rawValue: $0.rawValue) }
        let query = PostQuery(q: input.query.q ?? "", kind: kind, niche: input.query.niche, membersOnlyToo: user != nil,
                              order: input.query.order.flatMap { PostQuery.Order(rawValue: $0.rawValue) } ?? .latest, page: page)
        let rows: [PostRecord], total: Int?
        if query.isRanked {
            let hits = try await PostSearch.hits(query, on: request.db, cache: request.application.postSearchCache)
            rows = try await Posts.records(hits.ids, on: request.db)
            total = hits.total
        } else {
            rows = try await Posts.list(.init(kind: kind, niche: input.query.niche, membersOnlyToo: user != nil,
                                              limit: 20, offset: (page - 1) * 20), on: request.db)
            total = nil
        }
        let niches = try await Posts.niches(of: rows.map(\.id), on: request.db)
        return .ok(.init(body: .json(.init(items: rows.map { Components.Schemas.Post($0, niches: niches[$0.id] ?? []) }, total: total))))
    }

    func createPost(_ input: Operations.CreatePost.Input) async throws -> Operations.CreatePost.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let wrapped) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let body = wrapped.value1
        let referral = try body.referralId.map { raw in
            guard let id = UUID(uuidString: "\(raw)") else { throw PostsError.unknownReferral }
            return id
        }
        let draft = PostDraft(kind: body.kind.rawValue, title: body.title, body: body.body ?? "", problem: body.problem ?? "",
                              approach: body.approach ?? "", result: body.result ?? "", niches: body.niches,
                              visibility: body.visibility?.rawValue ?? "public", anonymous: body.anonymous ?? false, referralID: referral)
        let id = try await Posts.create(draft, by: user, on: request.db)
        return .created(.init(body: .json(try await Self.post(id, on: request))))
    }

    func getPost(_ input: Operations.GetPost.Input) async throws -> Operations.GetPost.Output {
        let request = try req
        let user = try await APIAuth.optionalUser(request)
        guard let id = UUID(uuidString: "\(input.path.id)"), try await Posts.visible(id, to: user, on: request.db) != nil else {
            throw PostsError.notFound
        }
        return .ok(.init(body: .json(try await Self.post(id, on: request))))
    }

    func updatePost(_ input: Operations.UpdatePost.Input) async throws -> Operations.UpdatePost.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let id = UUID(uuidString: "\(input.path.id)"), let post = try await Posts.find(id, on: request.db),
              post.author_id == user.id else { throw PostsError.notFound }
        let current = try await Posts.niches(of: [id], on: request.db)[id]?.map(\.name) ?? []
        let referral = try body.referralId.map { raw in
            guard let id = UUID(uuidString: "\(raw)") else { throw PostsError.unknownReferral }
            return id
        }
        let draft = PostDraft(kind: post.kind, title: body.title ?? post.title, body: body.body ?? post.body,
                              problem: body.problem ?? post.problem, approach: body.approach ?? post.approach,
                              result: body.result ?? post.result, niches: body.niches ?? current,
                              visibility: body.visibility?.rawValue ?? post.visibility, anonymous: false, referralID: referral ?? post.referral_id)
        try await Posts.update(id, with: draft, by: user, on: request.db)
        return .ok(.init(body: .json(try await Self.post(id, on: request))))
    }

    func deletePost(_ input: Operations.DeletePost.Input) async throws -> Operations.DeletePost.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard let id = UUID(uuidString: "\(input.path.id)") else { throw PostsError.notFound }
        try await Posts.delete(id, by: user, on: request.db)
        return .noContent(.init())
    }

    static func post(_ id: UUID, on request: Request) async throws -> Components.Schemas.Post {
        guard let record = try await Posts.find(id, on: request.db) else { throw PostsError.notFound }
        return .init(record, niches: try await Posts.niches(of: [id], on: request.db)[id] ?? [])
    }
}

extension Components.Schemas.Post {
    init(_ p: PostRecord, niches: [PostNicheTag]) {
        self.init(
            id: p.id.uuidString, kind: .init(rawValue: p.kind) ?? .tip, title: p.title, body: p.body, problem: p.problem,
            approach: p.approach, result: p.result, html: p.body_html,
            author: p.anonymous ? nil : .init(name: p.author_name ?? "", slug: p.author_slug), anonymous: p.anonymous,
            niches: niches.map { .init(slug: $0.slug, name: $0.name) }, visibility: .init(rawValue: p.visibility) ?? ._public,
            referralId: p.referral_id?.uuidString, createdAt: p.created_at, updatedAt: p.updated_at, edited: p.edited,
            helpful: p.helpful, comments: p.comments, hidden: p.hidden)
    }
}
