import OpenAPIRuntime
import Vapor

extension GuildAPI {
    func findMatches(_ input: Operations.FindMatches.Input) async throws -> Operations.FindMatches.Output {
        let request = try req
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        try request.application.matchThrottle.consume(request.clientIP)
        let need = try MatchNeed.validated(need: body.need, city: body.city, remote: body.remote, limit: body.limit)
        let results = try await Matcher.match(need, app: request.application, db: request.db)
        return .ok(.init(body: .json(.init(results))))
    }
}

extension Components.Schemas.MatchList {
    init(_ results: MatchResults) {
        self.init(
            matches: results.matches.map { match in
                .init(member: .init(slug: match.slug, name: match.name, business: match.business, headline: match.headline, city: match.city),
                      score: match.score,
                      reasons: match.reasons.map { .init(kind: .init(rawValue: $0.kind) ?? .words, text: $0.text) })
            },
            semantic: results.semantic, suggestion: results.suggestion)
    }
}
