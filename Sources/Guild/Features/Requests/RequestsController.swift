import Fluent
import Validation
import Vapor

/// The requests board: members post what they are looking for, others suggest a member with a
/// sentence why, matching suggests members too, and the poster refers their client to one of them
/// (the refer form, with the request's words as the need). Signed-in members only.
struct RequestsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("requests", use: board)
        routes.get("requests", "new", use: newForm)
        routes.post("requests", use: create)
        routes.get("requests", ":requestID", use: show)
        routes.post("requests", ":requestID", "answers", use: answer)
        routes.post("requests", ":requestID", "close", use: close)
        routes.post("requests", ":requestID", "extend", use: extend)
    }

    func board(req: Request) async throws -> View {
        let user = try req.requireUser()
        let niche = req.query[String.self, at: "niche"].map { String($0.prefix(200)) } ?? ""
        let city = req.query[String.self, at: "city"].map { String($0.trimmingWhitespace().prefix(100)) } ?? ""
        let remote = ["true", "on", "1"].contains(req.query[String.self, at: "remote"] ?? "")
        let mine = ["true", "on", "1"].contains(req.query[String.self, at: "mine"] ?? "")
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 1000))
        let filter = ReferralRequests.Filter(niche: niche.isEmpty ? nil : niche, city: city, remote: remote,
                                             mine: mine ? try user.requireID() : nil, limit: 31, offset: (page - 1) * 30)
        let rows = try await ReferralRequests.list(filter, on: req.db)
        let shown = Array(rows.prefix(30))
        let niches = try await ReferralRequests.niches(of: shown.map(\.id), on: req.db)
        return try await req.view.render("Requests/index", RequestsBoardPage(
            layout: req.layout(title: mine ? "My requests" : "Requests"), niche: niche, city: city, remote: remote, mine: mine,
            categories: try await NicheIndex.cached(for: req).categories,
            items: shown.map { RequestView($0, niches: niches[$0.id] ?? []) }, nextPage: rows.count > 30 ? page + 1 : nil))
    }

    func newForm(req: Request) async throws -> View {
        _ = try req.requireUser()
        var form = RequestFormPage.Form()
        form.niches = req.query[String.self, at: "niche"].map { String($0.prefix(100)) } ?? ""
        return try await req.view.render("Requests/new", RequestFormPage(layout: req.layout(title: "Post a request"), form: form))
    }

    struct CreateForm: Content {
        var title: String?
        var details: String?
        var niches: String?
        var city: String?
        var remote: String?
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(CreateForm.self)
        let form = RequestFormPage.Form(title: input.title ?? "", details: input.details ?? "", niches: input.niches ?? "",
                                        city: input.city ?? "", remote: ["true", "on", "yes"].contains(input.remote ?? ""))
        // One field, niches separated by commas (the niche list's names and synonyms are all accepted).
        let draft = RequestDraft(title: form.title, details: form.details, niches: form.niches.split(separator: ",").map(String.init),
                                 city: form.city, remote: form.remote)
        do {
            let id = try await ReferralRequests.create(draft, by: user, on: req.db)
            req.flash(.success, "Your request is on the board for \(RequestRules.openDays) days. You will hear when someone answers.")
            return req.redirect(to: "/requests/\(id)", redirectType: .normal)
        } catch let error as RequestsError {
            // A niche that does not exist is a mistake in the form, shown by the field.
            let shown: RequestsError = if case .unknownNiche = error { .invalid(field: "niches", error.reason) } else { error }
            var page = RequestFormPage(layout: req.layout(title: "Post a request"), form: form)
            page.show(shown)
            return try await req.view.render("Requests/new", page).encodeResponse(for: req).with(shown)
        }
    }

    func loadRequest(_ req: Request) async throws -> (User, RequestRecord) {
        let user = try req.requireUser()
        guard let id = req.parameters.get("requestID", as: UUID.self), let request = try await ReferralRequests.find(id, on: req.db) else {
            throw RequestsError.notFound
        }
        return (user, request)
    }

    func show(req: Request) async throws -> View {
        let (user, request) = try await loadRequest(req)
        return try await render(request, for: user, req: req)
    }

    func render(_ request: RequestRecord, for user: User, form: RequestPage.AnswerForm = .init(), error: (any AppError)? = nil,
                req: Request) async throws -> View {
        let answers = try await ReferralRequests.answers(to: request.id, on: req.db)
        let niches = try await ReferralRequests.niches(of: [request.id], on: req.db)[request.id] ?? []
        let view = RequestView(request, niches: niches)
        let isAuthor = request.author_id == user.id
        var page = RequestPage(
            layout: req.layout(title: request.title), request: view,
            answers: answers.map {
                .init(id: $0.id, authorName: $0.author_name, authorSlug: $0.author_slug, suggestedName: $0.suggested_name,
                      suggestedSlug: $0.suggested_slug, himself: $0.author_id == $0.suggested_id, reason: $0.reason,
                      when: $0.created_at.dayDisplay, picked: $0.picked)
            },
            isAuthor: isAuthor, canAnswer: !isAuthor && view.state == "open", suggestions: [], answerForm: form)
        if view.state == "open" {
            (page.suggestions, page.suggestionsNote) = try await suggestions(for: request, skipping: Set(answers.map(\.suggested_id)), req: req)
        }
        if let error { page.show(error) }
        return try await req.view.render("Requests/show", page)
    }

    /// Members matching suggests; each costs an embedding, so past the matching throttle the page says so.
    func suggestions(for request: RequestRecord, skipping: Set<UUID>, req: Request) async throws -> ([RequestPage.Suggestion], String?) {
        do {
            try req.application.matchThrottle.consume(req.clientIP)
        } catch {
            return ([], "Suggestions from matching are resting for a minute; reload the page to see them.")
        }
        let results = try await ReferralRequests.suggestions(for: request, skipping: skipping, app: req.application, db: req.db)
        return (results.matches.map { .init(slug: $0.slug, name: $0.name, business: $0.business, why: $0.reasons.first?.text ?? $0.headline) }, nil)
    }

    struct AnswerInput: Content {
        var member: String?
        var reason: String?
    }

    func answer(req: Request) async throws -> Response {
        let (user, request) = try await loadRequest(req)
        let input = try req.content.decode(AnswerInput.self)
        var slug = input.member?.trimmingWhitespace() ?? ""
        if slug.hasPrefix("/m/") { slug = String(slug.dropFirst(3)) }
        do {
            guard !slug.isEmpty else { throw RequestsError.invalid(field: "member", "Give the profile address of the member you suggest, like rae-park.") }
            _ = try await ReferralRequests.answer(request.id, suggesting: slug, reason: input.reason ?? "", by: user,
                                                  baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Thank you: \(request.author_name) will see your suggestion.")
            return req.redirect(to: "/requests/\(request.id)", redirectType: .normal)
        } catch let error as RequestsError {
            // A member typed here who does not exist is a mistake in the form, shown by the field.
            let shown: RequestsError = if case .unknownMember = error { .invalid(field: "member", error.reason) } else { error }
            return try await render(request, for: user, form: .init(member: input.member ?? "", reason: input.reason ?? ""), error: shown,
                                    req: req).encodeResponse(for: req).with(shown)
        }
    }

    func close(req: Request) async throws -> Response {
        let (user, request) = try await loadRequest(req)
        do {
            try await ReferralRequests.close(request.id, by: user, on: req.db)
            req.flash(.success, "The request is closed.")
            return req.redirect(to: "/requests/\(request.id)", redirectType: .normal)
        } catch let error as RequestsError {
            return try await render(request, for: user, error: error, req: req).encodeResponse(for: req).with(error)
        }
    }

    func extend(req: Request) async throws -> Response {
        let (user, request) = try await loadRequest(req)
        do {
            try await ReferralRequests.extend(request.id, by: user, on: req.db)
            req.flash(.success, "The request stays open for another \(RequestRules.openDays) days.")
            return req.redirect(to: "/requests/\(request.id)", redirectType: .normal)
        } catch let error as RequestsError {
            return try await render(request, for: user, error: error, req: req).encodeResponse(for: req).with(error)
        }
    }
}
