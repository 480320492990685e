import Fluent
import Vapor

/// The public directory: search, the niche index and niche pages; organizers tidy niches here.
struct DirectoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("directory", use: search)
        routes.get("niches", use: niches)
        routes.get("n", ":slug", use: niche)
        let organize = routes.grouped(RequireSignInMiddleware(role: .organizer))
        organize.post("n", ":slug", "merge", use: merge)
        organize.post("n", ":slug", "synonyms", use: addSynonym)
    }

    static func query(from req: Request) -> DirectoryQuery {
        DirectoryQuery(
            q: String((req.query[String.self, at: "q"] ?? "").prefix(200)),
            niche: req.query[String.self, at: "niche"].map { String($0.prefix(80)) },
            city: req.query[String.self, at: "city"].map { String($0.prefix(100)) },
            remote: req.query[String.self, at: "remote"].map { $0 == "true" || $0 == "on" },
            available: req.query[String.self, at: "available"].map { $0 == "true" || $0 == "on" },
            page: max(1, min(req.query[Int.self, at: "page"] ?? 1, 10_000)))
    }

    func search(req: Request) async throws -> View {
        let query = Self.query(from: req)
        let results = try await DirectorySearch.search(query, on: req.db, cache: req.application.searchCache)
        func link(_ page: Int) -> String {
            var components = URLComponents()
            components.path = "/directory"
            components.queryItems = [
                URLQueryItem(name: "q", value: query.q), URLQueryItem(name: "city", value: query.city ?? ""),
                URLQueryItem(name: "niche", value: query.niche ?? ""),
                URLQueryItem(name: "remote", value: query.remote == true ? "true" : nil),
                URLQueryItem(name: "available", value: query.available == true ? "true" : nil),
                URLQueryItem(name: "page", value: String(page)),
            ].filter { $0.value != nil }
            return components.string ?? "/directory"
        }
        let title = query.q.isEmpty ? "Directory" : "“\(query.q)” in the directory"
        return try await req.view.render("Directory/search", SearchPage(
            layout: req.layout(title: title), q: query.q, city: query.city ?? "", niche: query.niche ?? "",
            remote: query.remote == true, available: query.available == true, items: results.items, total: results.total,
            page: results.page, previousPage: results.page > 1 ? link(results.page - 1) : nil,
            nextPage: results.page * query.perPage < results.total ? link(results.page + 1) : nil,
            correctedTo: results.correctedTo, suggestions: results.suggestions))
    }

    func niches(req: Request) async throws -> View {
        try await req.view.render("Directory/niches", NicheIndexPage(
            layout: req.layout(title: "Niches"), categories: NicheIndex.query(on: req.db).categories))
    }

    func niche(req: Request) async throws -> View {
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 10_000))
        guard let slug = req.parameters.get("slug"),
            let niche = try await NicheDetail.query(slug: slug, page: page, on: req.db)
        else { throw CommonError.notFound }
        return try await req.view.render("Directory/niche", NichePage(
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

/// Organizer actions on niches, shared by the web pages and the API.
enum Niches {
    static func merge(slug: String, into: String, on db: any Database) async throws -> NicheResolver.Resolved {
        guard !into.isEmpty, into.unicodeScalars.count <= 80 else {
            throw CommonError.invalidField(.init(field: "into", message: "Name the niche to merge into, in 1 to 80 characters."))
        }
        guard let source = try await Niche.query(on: db).filter(\.$slug == slug).first() else { throw CommonError.notFound }
        var target: NicheResolver.Resolved?
        if let niche = try await Niche.query(on: db).filter(\.$slug == into).first() {
            target = NicheResolver.Resolved(id: try niche.requireID(), slug: niche.slug, name: niche.name)
        } else {
            target = try await NicheResolver.find(into, on: db)
        }
        guard let target else {
            throw CommonError.invalidField(.init(field: "into", message: "No niche is called “\(into)”."))
        }
        guard try target.id != source.requireID() else {
            throw CommonError.invalidField(.init(field: "into", message: "A niche cannot be merged into itself."))
        }
        let sourceID = try source.requireID()
        try await db.writeTransaction { db in
            let affected = try await NicheResolver.merge(sourceID, into: target.id, on: db)
            try await MemberSearchIndex.reindex(affected, on: db)
        }
        return target
    }

    static func addSynonym(_ raw: String, toSlug slug: String, on db: any Database) async throws {
        let synonym = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !synonym.isEmpty, synonym.count <= 80 else {
            throw CommonError.invalidField(.init(field: "synonym", message: "Enter a synonym of 1 to 80 characters."))
        }
        guard let niche = try await Niche.query(on: db).filter(\.$slug == slug).first() else { throw CommonError.notFound }
        let nicheID = try niche.requireID()
        try await db.writeTransaction { db in
            guard try await NicheResolver.addAlias(synonym, to: nicheID, on: db) else {
                throw CommonError.invalidField(.init(field: "synonym", message: "“\(synonym)” already names a niche."))
            }
            struct Row: Decodable { var profile_id: UUID }
            let members = try await db.sql.raw("SELECT profile_id FROM profile_niches WHERE niche_id = \(bind: nicheID)")
                .all(decoding: Row.self).map(\.profile_id)
            try await MemberSearchIndex.reindex(members, on: db)
        }
    }
}
