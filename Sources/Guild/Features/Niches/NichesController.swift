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
        let content = try await req.application.fragments.value(for: "niches", on: req.db) {
            Fragment(title: "Niches", html: try await req.view.render(
                "Niches/niches-content", NicheIndexContent(categories: NicheIndex.cached(for: req).categories)).html)
        }
        return try await req.view.render("Niches/niches", NicheIndexPage(layout: req.layout(title: "Niches"), content: content?.html ?? ""))
    }

    /// The page's content is rendered once per directory generation (Leaf takes ~4 ms for 100
    /// members); each request renders only the layout and the organizer's tools around it.
    func niche(req: Request) async throws -> View {
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 10_000))
        let slug = req.parameters.get("slug") ?? ""
        let content = try await req.application.fragments.value(for: "niche:\(page):\(slug)", on: req.db) { () -> Fragment? in
            guard let niche = try await NicheDetail.cached(slug: slug, page: page, for: req) else { return nil }
            return Fragment(title: niche.name, html: try await req.view.render("Niches/niche-content", NicheContent(
                slug: niche.slug, name: niche.name, categoryName: niche.categoryName,
                aliasText: niche.aliases.joined(separator: ", "), clientWords: niche.clientWords,
                mergedIntoSlug: niche.mergedIntoSlug, members: niche.members, total: niche.total, page: page,
                previousPage: page > 1 ? page - 1 : nil, nextPage: page * 100 < niche.total ? page + 1 : nil,
                related: niche.related)).html)
        }
        guard let content else { throw CommonError.notFound }
        return try await req.view.render("Niches/niche", NichePage(
            layout: req.layout(title: content.title), slug: slug, content: content.html,
            canOrganize: req.currentUser?.role.canOrganize == true))
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
