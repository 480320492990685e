import Foundation
import OpenAPIRuntime
import Validation
import Vapor

extension GuildAPI {
    func createReferral(_ input: Operations.CreateReferral.Input) async throws -> Operations.CreateReferral.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let referral) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let body = referral.value1
        for (field, value, limit) in [("clientEmail", body.clientEmail ?? "", 254), ("to", body.to, 200)] where value.unicodeScalars.count > limit {
            throw ReferralsError.invalid(field: field, "\(field) must be at most \(limit) characters.")
        }
        // Given means given: an empty email or phone is a mistake, not "none" (leave the field out instead).
        for (field, value) in [("clientEmail", body.clientEmail), ("clientPhone", body.clientPhone)] where value?.trimmingWhitespace().isEmpty == true {
            throw ReferralsError.invalid(field: field, "\(field) is empty; leave it out or fill it in.")
        }
        let draft = ReferralDraft(
            receiverSlug: body.to, clientName: body.clientName, clientEmail: body.clientEmail ?? "", clientPhone: body.clientPhone ?? "",
            need: body.need, note: body.note ?? "", urgency: body.urgency.rawValue, consent: body.consent)
        let id = try await Referrals.create(draft, by: user, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .created(.init(body: .json(try await Self.referral(id, on: request))))
    }

    func listReferrals(_ input: Operations.ListReferrals.Input) async throws -> Operations.ListReferrals.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let page = try Self.checkedPage(input.query.page)
        let rows = try await Referrals.ledger(
            of: try user.requireID(), role: input.query.role.flatMap { Referrals.Role(rawValue: $0.rawValue) },
            status: input.query.status.flatMap { ReferralStatus(rawValue: $0.rawValue) }, limit: 100, offset: (page - 1) * 100,
            on: request.db)
        return .ok(.init(body: .json(.init(items: rows.map { Components.Schemas.Referral($0, history: []) }))))
    }

    func getReferral(_ input: Operations.GetReferral.Input) async throws -> Operations.GetReferral.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard let id = UUID(uuidString: "\(input.path.id)"), try await Referrals.visible(id, to: user, on: request.db) != nil else {
            throw CommonError.notFound
        }
        return .ok(.init(body: .json(try await Self.referral(id, on: request))))
    }

    func transitionReferral(_ input: Operations.TransitionReferral.Input) async throws -> Operations.TransitionReferral.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        // The document's if/then rules (a reason for a decline or loss, a value for a win) are checked
        // by `ReferralRules`; the generated type carries the fields alone.
        guard case .json(let transition) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let body = transition.value1
        guard let id = UUID(uuidString: "\(input.path.id)"), let referral = try await Referrals.visible(id, to: user, on: request.db) else {
            throw CommonError.notFound
        }
        // Who may move it comes before what the body says.
        guard referral.receiver_id == user.id else { throw ReferralsError.onlyReceiver }
        guard let to = ReferralStatus(rawValue: body.to.rawValue) else { throw ReferralsError.invalid(field: "to", "Unknown status.") }
        if let reason = body.reason, reason.unicodeScalars.count > ReferralRules.reasonMax {
            throw ReferralsError.transition(.reasonTooLong)
        }
        var value: Money?
        if let raw = body.value?.value1 {
            switch Money.parse(amount: raw.amount, currency: raw.currency.rawValue) {
            case .success(let money): value = money
            case .failure(let problem): throw ReferralsError.badValue(problem)
            }
        }
        try await Referrals.transition(id, to: to, reason: body.reason, value: value, by: user,
                                           baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .ok(.init(body: .json(try await Self.referral(id, on: request))))
    }

    func listNotifications(_ input: Operations.ListNotifications.Input) async throws -> Operations.ListNotifications.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let userID = try user.requireID()
        let items = try await Notifications.list(userID, on: request.db)
        return .ok(.init(body: .json(.init(
            items: items.map { .init(id: $0.id.uuidString, kind: $0.kind, title: $0.title, link: $0.link, createdAt: $0.created_at, read: $0.read_at != nil) },
            unread: try await Notifications.unreadCount(userID, on: request.db)))))
    }

    func readNotification(_ input: Operations.ReadNotification.Input) async throws -> Operations.ReadNotification.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard let id = UUID(uuidString: "\(input.path.id)"), try await Notifications.markRead(id, of: try user.requireID(), on: request.db) else {
            throw CommonError.notFound
        }
        return .noContent(.init())
    }

    static func referral(_ id: UUID, on request: Request) async throws -> Components.Schemas.Referral {
        guard let record = try await Referrals.find(id, on: request.db) else { throw CommonError.notFound }
        return Components.Schemas.Referral(record, history: try await Referrals.history(id, on: request.db))
    }
}

extension Components.Schemas.Money {
    init(_ money: Money) { self.init(amount: money.amountText, currency: .init(rawValue: money.currency) ?? .eur) }
}

extension Components.Schemas.Referral {
    init(_ r: ReferralRecord, history: [ReferralEventRecord]) {
        self.init(
            id: r.id.uuidString, giver: .init(name: r.giver_name, slug: r.giver_slug), receiver: .init(name: r.receiver_name, slug: r.receiver_slug),
            clientName: r.client_name, clientEmail: r.client_email, clientPhone: r.client_phone, need: r.need, note: r.note,
            urgency: .init(rawValue: r.urgency) ?? .whenever, status: .init(rawValue: r.status) ?? .new, reason: r.reason,
            value: r.value.map(Components.Schemas.Money.init), passedFrom: r.passed_from_id?.uuidString,
            createdAt: r.created_at, updatedAt: r.updated_at,
            history: history.map { event in
                .init(actor: event.actor_name, from: event.from_status.flatMap { .init(rawValue: $0) }, to: .init(rawValue: event.to_status) ?? .new,
                      reason: event.reason,
                      value: event.value_minor.flatMap { minor in event.currency.map { Components.Schemas.Money(Money(minorUnits: minor, currency: $0)) } },
                      at: event.at)
            })
    }
}

extension GuildAPI {
    func exportReferrals(_ input: Operations.ExportReferrals.Input) async throws -> Operations.ExportReferrals.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        if input.query.scope == .all {
            guard user.role.canOrganize else { throw CommonError.forbidden }
            let db = request.db
            let stream = AsyncThrowingStream<String, any Error> { continuation in
                let task = Task {
                    do {
                        try await ReferralExport.all(on: db) { continuation.yield($0) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return .ok(.init(body: .csv(HTTPBody(stream.map { ArraySlice(Array($0.utf8)) }, length: .unknown, iterationBehavior: .single))))
        }
        return .ok(.init(body: .csv(HTTPBody(try await ReferralExport.member(try user.requireID(), on: request.db)))))
    }

    func getReciprocity(_ input: Operations.GetReciprocity.Input) async throws -> Operations.GetReciprocity.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let summary = try await Reciprocity.summary(for: try user.requireID(), on: request.db)
        func money(_ amounts: [ReciprocitySummary.Amount]) -> [Components.Schemas.Money] {
            amounts.map { .init(Money(minorUnits: $0.minorUnits, currency: $0.currency)) }
        }
        return .ok(.init(body: .json(.init(
            given: summary.given, received: summary.received, givenWon: summary.givenWon, receivedWon: summary.receivedWon,
            conversion: summary.conversion, creditedValue: money(summary.creditedValue), wonValue: money(summary.wonValue),
            partners: summary.partners.map { .init(name: $0.name, slug: $0.slug, sent: $0.sent, received: $0.received) },
            suggestions: summary.suggestions.map { .init(text: $0.text, slug: $0.slug) }))))
    }
}

extension GuildAPI {
    func writeTestimonial(_ input: Operations.WriteTestimonial.Input) async throws -> Operations.WriteTestimonial.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let referralID = UUID(uuidString: "\(input.path.id)") else { throw CommonError.notFound }
        let id = try await Testimonials.write(about: referralID, by: user, text: body.text, on: request.db)
        return .created(.init(body: .json(.init(id: id.uuidString))))
    }
}

extension GuildAPI {
    /// A referral made from a request on the board (the request is filled in the same step); it lives
    /// here, not with the requests, because Referrals sits above Requests.
    func referFromRequest(_ input: Operations.ReferFromRequest.Input) async throws -> Operations.ReferFromRequest.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let wrapped) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let body = wrapped.value1
        let id = try Self.requestID(input.path.id)
        guard let record = try await ReferralRequests.find(id, on: request.db) else { throw RequestsError.notFound }
        // Who may comes before what the body says.
        guard record.author_id == user.id else { throw RequestsError.onlyAuthor }
        for (field, value) in [("clientEmail", body.clientEmail), ("clientPhone", body.clientPhone)] where value?.trimmingWhitespace().isEmpty == true {
            throw ReferralsError.invalid(field: field, "\(field) is empty; leave it out or fill it in.")
        }
        let answer = try body.answerId.map { raw in
            guard let answer = UUID(uuidString: "\(raw)") else { throw RequestsError.unknownAnswer }
            return answer
        }
        let draft = ReferralDraft(
            receiverSlug: body.to, clientName: body.clientName, clientEmail: body.clientEmail ?? "", clientPhone: body.clientPhone ?? "",
            need: body.need ?? String(record.need.prefix(ReferralRules.needMax)), note: body.note ?? "", urgency: body.urgency.rawValue,
            consent: body.consent)
        let referralID = try await Referrals.create(draft, by: user, request: .init(id: id, answer: answer),
                                                    baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .created(.init(body: .json(try await Self.referral(referralID, on: request))))
    }
}
