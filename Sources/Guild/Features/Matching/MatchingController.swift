import Fluent
import Vapor

/// `/find`: a visitor describes what they need and sees who can help, with reasons. A GET form, so
/// it works without JavaScript and a result can be shared as a link.
struct MatchingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("find", use: find)
    }

    func find(req: Request) async throws -> Response {
        let raw = FindForm(
            need: req.query[String.self, at: "need"] ?? "", city: req.query[String.self, at: "city"] ?? "",
            remote: ["true", "on"].contains(req.query[String.self, at: "remote"] ?? ""))
        var page = FindPage(layout: req.layout(title: "Who can help?"), form: raw, asked: false, error: nil, errorField: nil,
                            results: nil, notice: nil)
        let model = req.application.matchingModel
        if case .off(let reason) = model.status, req.layout(title: "").user.map({ $0.isOrganizer || $0.isAdmin }) == true {
            page.notice = "Semantic matching is off on this server (\(reason)); matches below come from word search."
        }
        var failure: (any AppError)?
        if !raw.need.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || req.query[String.self, at: "need"] != nil {
            page.asked = true
            do {
                let need = try MatchNeed.validated(need: raw.need, city: raw.city, remote: raw.remote, limit: 10)
                try req.application.matchThrottle.consume(req.clientIP)
                page.results = try await Matcher.match(need, app: req.application, db: req.db)
                page.layout.title = "Who can help with “\(String(need.need.prefix(60)))”"
            } catch let error as any AppError {
                page.error = error.reason
                page.errorField = error.field
                failure = error
            }
        }
        let response = try await req.view.render("Matching/find", page).encodeResponse(for: req)
        return failure.map { response.with($0) } ?? response
    }
}

struct FindForm: Encodable, Sendable {
    var need: String
    var city: String
    var remote: Bool
}

struct FindPage: Encodable {
    var layout: Layout
    var form: FindForm
    var asked: Bool
    var error: String?
    var errorField: String?
    var results: MatchResults?
    /// For organizers and admins: why matching is by words only.
    var notice: String?
}
