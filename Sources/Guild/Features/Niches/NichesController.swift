import Fluent
import Vapor

/// The niche index and niche pages; organizers tidy niches here.
struct NichesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("niches", use: niches)
        routes.get("n", ":slug", use: niche)
        let organize = routes.grouped(RequireSignInMiddleware(role: .organizer))
        organize.post("n", ":slug", "merge", use: merge)
        organize.post("n", ":slug", "synonyms", use: addSynonym)
    }

    func niches(req: Request) async throws -> View {
        try await req.view.render("Niches/niches", NicheIndexPage(
            layout: req.layout(title: "Niches"), categories: NicheIndex.cached(for: req).categories))
    }

    func niche(req: Request) async throws -> View {
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 10_000))
        guard let slug = req.parameters.get("slug"),
            let niche = try await NicheDetail.cached(slug: slug, page: page, for: req)
        else { throw CommonError.notFound }
        return try await req.view.render("Niches/niche", NichePage(
            layout: req.layout(title: niche.name), slug: niche.slug, name: niche.name, categoryName: niche.categoryName,
            aliasText: niche.aliases.joined(separator: ", "), clientWords: niche.clientWords,
            mergedIntoSlug: niche.mergedIntoSlug, members: niche.members, total: niche.total, page: page,
            previousPage: page > 1 ? page - 1 : nil, nextPage: page * 100 < niche.total ? page + 1 : nil,
            related: niche.related, canOrganize: req.currentUser?.role.canOrganize == true))
    }

    func merge(req: Request) async throws -> Response {
        struct Form: Content { var into: String? }
        let into = (try req.content.decode(Form.self).into ?? "").trimmingCharacters(in: .whitespaces)
        let target = try await Niches.merge(slug: req.parameters.get("slug") ?? "", into: into, on: req.db)
        req.flash(.success, "Merged. Everyone in it now stands in “\(target.name)”.")
        return req.redirect(to: "/n/\(target.slug)", redirectType: .normal)
    }

    func addSynonym(req: Request) async throws -> Response {
        struct Form: Content { var synonym: String? }
        let slug = req.parameters.get("slug") ?? ""
        let synonym = try req.content.decode(Form.self).synonym ?? ""
        try await Niches.addSynonym(synonym, toSlug: slug, on: req.db)
        req.flash(.success, "“\(synonym.trimmingCharacters(in: .whitespaces))” now finds this niche.")
        return req.redirect(to: "/n/\(slug)", redirectType: .normal)
    }
}
