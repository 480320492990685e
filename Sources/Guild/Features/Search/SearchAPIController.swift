import Fluent
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        let query = input.query
        let page = try Self.checkedPage(query.page)
        for (field, value, limit) in [("q", query.q, 200), ("niche", query.niche, 80), ("city", query.city, 100)] {
            if let value, value.unicodeScalars.count > limit {
                throw CommonError.invalidParameter(.init(field: field, message: "\(field) must be at most \(limit) characters."))
            }
        }
        let results = try await DirectorySearch.search(
            DirectoryQuery(q: query.q ?? "", niche: query.niche, city: query.city, remote: query.remote,
                           available: query.available, page: page),
            on: req.db, cache: req.application.searchCache,
            vocabulary: req.application.nicheVocabulary)
        return .ok(.init(body: .json(.init(
            items: results.items.map(Components.Schemas.MemberSummary.init), total: results.total, page: results.page,
            correctedTo: results.correctedTo, suggestions: results.suggestions.map(Components.Schemas.NicheRef.init)))))
    }

    static func checkedPage(_ page: Int?) throws -> Int {
        guard let page else { return 1 }
        guard (1...10_000).contains(page) else {
            throw CommonError.invalidParameter(.init(field: "page", message: "page must be from 1 to 10000."))
        }
        return page
    }
}

extension Components.Schemas.MemberSummary {
    init(_ member: MemberSummary) {
        self.init(slug: member.slug, name: member.name, business: member.business, headline: member.headline,
                  city: member.city, niches: member.niches.map(Components.Schemas.NicheRef.init))
    }
}
