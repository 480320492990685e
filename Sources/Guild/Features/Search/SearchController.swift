import Fluent
import Vapor

/// The directory's search page: ranked full text with niche, city, remote and availability filters.
struct SearchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("directory", use: search)
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
        let results = try await DirectorySearch.search(query, on: req.db, cache: req.application.searchCache,
            vocabulary: req.application.nicheVocabulary)
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
        return try await req.view.render("Search/search", SearchPage(
            layout: req.layout(title: title), q: query.q, city: query.city ?? "", niche: query.niche ?? "",
            remote: query.remote == true, available: query.available == true, items: results.items, total: results.total,
            page: results.page, previousPage: results.page > 1 ? link(results.page - 1) : nil,
            nextPage: results.page * query.perPage < results.total ? link(results.page + 1) : nil,
            correctedTo: results.correctedTo, suggestions: results.suggestions,
            nicheOptions: NicheIndex.options(selected: query.niche ?? "", on: req)))
    }
}
