import Fluent
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    func listNiches(_ input: Operations.ListNiches.Input) async throws -> Operations.ListNiches.Output {
        let index = try await NicheIndex.cached(for: req)
        let items = index.categories.flatMap { category in
            category.niches.map {
                Components.Schemas.NicheSummary(
                    slug: $0.slug, name: $0.name, category: category.slug == "added-by-members" ? nil : category.name,
                    members: $0.members)
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getNiche(_ input: Operations.GetNiche.Input) async throws -> Operations.GetNiche.Output {
        let page = try Self.checkedPage(input.query.page)
        return .ok(.init(body: .json(try await Self.nicheDetail(input.path.slug, page: page, on: req))))
    }

    func mergeNiche(_ input: Operations.MergeNiche.Input) async throws -> Operations.MergeNiche.Output {
        let request = try req
        try await APIAuth.requireOrganizer(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let target = try await Niches.merge(slug: input.path.slug, into: body.into, on: request.db)
        return .ok(.init(body: .json(try await Self.nicheDetail(target.slug, on: request))))
    }

    func addNicheSynonym(_ input: Operations.AddNicheSynonym.Input) async throws -> Operations.AddNicheSynonym.Output {
        let request = try req
        try await APIAuth.requireOrganizer(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        try await Niches.addSynonym(body.synonym, toSlug: input.path.slug, on: request.db)
        return .ok(.init(body: .json(try await Self.nicheDetail(input.path.slug, on: request))))
    }

    static func nicheDetail(_ slug: String, page: Int = 1, on req: Request) async throws -> Components.Schemas.NicheDetail {
        guard let niche = try await NicheDetail.cached(slug: slug, page: page, for: req) else { throw CommonError.notFound }
        return .init(
            slug: niche.slug, name: niche.name, category: niche.categoryName, mergedInto: niche.mergedIntoSlug,
            synonyms: niche.aliases,
            clientWords: niche.clientWords.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) },
            members: niche.members.map(Components.Schemas.MemberSummary.init), total: niche.total, page: page,
            related: niche.related.map(Components.Schemas.NicheRef.init))
    }
}

extension Components.Schemas.NicheRef {
    init(_ tag: NicheTag) {
        self.init(slug: tag.slug, name: tag.name, level: tag.level.flatMap(LevelPayload.init(rawValue:)))
    }
}
