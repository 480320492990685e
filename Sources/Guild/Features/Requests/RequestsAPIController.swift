import Foundation
import OpenAPIRuntime
import Validation
import Vapor

extension GuildAPI {
    func listRequests(_ input: Operations.ListRequests.Input) async throws -> Operations.ListRequests.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let page = try Self.checkedPage(input.query.page)
        for (field, value, limit) in [("niche", input.query.niche, 200), ("city", input.query.city, 100)] where (value?.unicodeScalars.count ?? 0) > limit {
            throw CommonError.invalidParameter(.init(field: field, message: "\(field) can be at most \(limit) characters."))
        }
        let rows = try await ReferralRequests.list(.init(
            niche: input.query.niche, city: input.query.city, remote: input.query.remote ?? false,
            mine: input.query.mine == true ? try user.requireID() : nil, limit: 30, offset: (page - 1) * 30), on: request.db)
        let niches = try await ReferralRequests.niches(of: rows.map(\.id), on: request.db)
        return .ok(.init(body: .json(.init(items: rows.map { Components.Schemas.Request($0, niches: niches[$0.id] ?? []) }))))
    }

    func createRequest(_ input: Operations.CreateRequest.Input) async throws -> Operations.CreateRequest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let wrapped) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let body = wrapped.value1
        let draft = RequestDraft(title: body.title, details: body.details ?? "", niches: body.niches, city: body.city ?? "",
                                 remote: body.remote ?? false)
        let id = try await ReferralRequests.create(draft, by: user, on: request.db)
        return .created(.init(body: .json(try await Self.requestDetail(id, on: request))))
    }

    func getRequest(_ input: Operations.GetRequest.Input) async throws -> Operations.GetRequest.Output {
        let request = try req
        _ = try await APIAuth.requireUser(request)
        return .ok(.init(body: .json(try await Self.requestDetail(try Self.requestID(input.path.id), on: request))))
    }

    func suggestForRequest(_ input: Operations.SuggestForRequest.Input) async throws -> Operations.SuggestForRequest.Output {
        let request = try req
        _ = try await APIAuth.requireUser(request)
        let id = try Self.requestID(input.path.id)
        guard let record = try await ReferralRequests.find(id, on: request.db) else { throw RequestsError.notFound }
        guard record.state() == "open" else {
            return .ok(.init(body: .json(.init(matches: [], semantic: request.application.matchingModel.status == .ready))))
        }
        try request.application.matchThrottle.consume(request.clientIP)
        let answered = Set(try await ReferralRequests.answers(to: id, on: request.db).map(\.suggested_id))
        let results = try await ReferralRequests.suggestions(for: record, skipping: answered, app: request.application, db: request.db)
        return .ok(.init(body: .json(.init(results))))
    }

    func answerRequest(_ input: Operations.AnswerRequest.Input) async throws -> Operations.AnswerRequest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let id = try Self.requestID(input.path.id)
        let answerID = try await ReferralRequests.answer(id, suggesting: body.member.trimmingWhitespace(), reason: body.reason, by: user,
                                                         baseURL: request.application.guildConfig.baseURL, on: request.db)
        guard let answer = try await ReferralRequests.answers(to: id, on: request.db).first(where: { $0.id == answerID }) else {
            throw RequestsError.notFound
        }
        return .created(.init(body: .json(.init(answer))))
    }

    func closeRequest(_ input: Operations.CloseRequest.Input) async throws -> Operations.CloseRequest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let id = try Self.requestID(input.path.id)
        try await ReferralRequests.close(id, by: user, on: request.db)
        return .ok(.init(body: .json(try await Self.requestDetail(id, on: request))))
    }

    func extendRequest(_ input: Operations.ExtendRequest.Input) async throws -> Operations.ExtendRequest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let id = try Self.requestID(input.path.id)
        try await ReferralRequests.extend(id, by: user, on: request.db)
        return .ok(.init(body: .json(try await Self.requestDetail(id, on: request))))
    }

    static func requestID(_ raw: some CustomStringConvertible) throws -> UUID {
        guard let id = UUID(uuidString: "\(raw)") else { throw RequestsError.notFound }
        return id
    }

    static func requestDetail(_ id: UUID, on request: Request) async throws -> Components.Schemas.RequestDetail {
        guard let record = try await ReferralRequests.find(id, on: request.db) else { throw RequestsError.notFound }
        let niches = try await ReferralRequests.niches(of: [id], on: request.db)[id] ?? []
        return .init(request: .init(record, niches: niches),
                     answers: try await ReferralRequests.answers(to: id, on: request.db).map(Components.Schemas.RequestAnswer.init))
    }
}

extension Components.Schemas.Request {
    init(_ r: RequestRecord, niches: [RequestNicheTag]) {
        self.init(
            id: r.id.uuidString, title: r.title, details: r.details, author: .init(name: r.author_name, slug: r.author_slug),
            city: r.city, remote: r.remote, state: .init(rawValue: r.state()) ?? .closed,
            niches: niches.map { .init(slug: $0.slug, name: $0.name) }, answers: r.answers, createdAt: r.created_at, expiresAt: r.expires_at)
    }
}

extension Components.Schemas.RequestAnswer {
    init(_ a: RequestAnswerRecord) {
        self.init(id: a.id.uuidString, author: .init(name: a.author_name, slug: a.author_slug),
                  suggested: .init(name: a.suggested_name, slug: a.suggested_slug), reason: a.reason, createdAt: a.created_at, picked: a.picked)
    }
}
