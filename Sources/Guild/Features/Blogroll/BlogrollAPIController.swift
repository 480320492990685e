import Foundation
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    func listMyBlogroll(_ input: Operations.ListMyBlogroll.Input) async throws -> Operations.ListMyBlogroll.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let records = try await Blogroll.of(try user.requireID(), on: request.db)
        let niches = try await Blogroll.niches(of: records.map(\.id), on: request.db)
        return .ok(.init(body: .json(.init(items: records.map { .init($0, niches: niches[$0.id] ?? []) }))))
    }

    func recommendBlog(_ input: Operations.RecommendBlog.Input) async throws -> Operations.RecommendBlog.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let id = try await Blogroll.recommend(BlogDraft(feedURL: body.feedUrl, siteURL: body.siteUrl ?? "", title: body.title ?? "",
                                                        reason: body.reason, niches: body.niches, own: body.own ?? false),
                                              by: user, on: request.db)
        guard let record = try await Blogroll.of(try user.requireID(), on: request.db).first(where: { $0.id == id }) else {
            throw BlogrollError.notFound
        }
        let niches = try await Blogroll.niches(of: [id], on: request.db)[id] ?? []
        return .created(.init(body: .json(.init(record, niches: niches))))
    }

    func removeRecommendation(_ input: Operations.RemoveRecommendation.Input) async throws -> Operations.RemoveRecommendation.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard let id = UUID(uuidString: "\(input.path.id)") else { throw BlogrollError.notFound }
        try await Blogroll.remove(id, by: user, on: request.db)
        return .noContent(.init())
    }

    static func niche(_ slug: String, on request: Request) async throws -> NicheResolver.Resolved {
        guard slug.utf8.count <= 200, let niche = try await NicheResolver.find(slug, on: request.db), niche.slug == slug else {
            throw CommonError.notFound
        }
        return niche
    }

    /// JSON, or OPML for `{slug}.opml`.
    func getNicheBlogroll(_ input: Operations.GetNicheBlogroll.Input) async throws -> Operations.GetNicheBlogroll.Output {
        let request = try req
        let raw = input.path.slug
        let wantsOPML = raw.hasSuffix(".opml")
        let niche = try await Self.niche(wantsOPML ? String(raw.dropLast(5)) : raw, on: request)
        let records = try await Blogroll.inNiche(niche.slug, on: request.db)
        if wantsOPML {
            return .ok(.init(body: .textXOpml(.init(Blogroll.opml(title: "Guild blogroll: \(niche.name)", records)))))
        }
        let niches = try await Blogroll.niches(of: records.map(\.id), on: request.db)
        let items = try await Blogroll.items(inNiche: niche.slug, on: request.db)
        return .ok(.init(body: .json(.init(
            niche: .init(slug: niche.slug, name: niche.name), blogs: records.map { .init($0, niches: niches[$0.id] ?? []) },
            items: items.map { .init(blog: $0.blog_title, title: $0.title, link: $0.link, summary: $0.summary, published: $0.published_at) }))))
    }
}

extension Components.Schemas.Recommendation {
    init(_ r: RecommendationRecord, niches: [NicheTag]) {
        self.init(id: r.id.uuidString, title: r.title, siteUrl: r.site_url, feedUrl: r.feed_url, own: r.own, reason: r.reason,
                  niches: niches.map { .init(slug: $0.slug, name: $0.name) }, member: .init(name: r.member_name, slug: r.member_slug),
                  status: BlogView(r, niches: []).status)
    }
}
