import Fluent
import Validation
import Vapor

/// Referral pages: refer a client to a member, the member's ledger, one referral with its history
/// and the receiver's next steps, passing a declined client on. Signed-in members only.
struct ReferralsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("m", ":slug", "refer", use: newForm)
        routes.post("m", ":slug", "refer", use: create)
        routes.get("referrals", use: index)
        routes.get("referrals", "export.csv", use: exportMine)
        routes.get("referrals", ":referralID", use: show)
        routes.post("referrals", ":referralID", "transitions", use: transition)
        routes.post("referrals", ":referralID", "pass", use: passOn)
        routes.post("referrals", ":referralID", "testimonial", use: testimonial)
        routes.post("testimonials", ":testimonialID", "hide", use: hideTestimonial)
    }

    struct ReferForm: Content {
        var clientName: String?
        var clientEmail: String?
        var clientPhone: String?
        var need: String?
        var note: String?
        var urgency: String?
        var consent: String?
        /// From the requests board: the request, and the answer picked (hidden fields).
        var request: String?
        var answer: String?
    }

    func receiver(_ req: Request) async throws -> ProfileDetail {
        guard let slug = req.parameters.get("slug"), slug.utf8.count <= 200, let detail = try await ProfileDetail.query(slug: slug, on: req.db) else {
            throw CommonError.notFound
        }
        return detail
    }

    func newForm(req: Request) async throws -> View {
        let user = try req.requireUser()
        let detail = try await receiver(req)
        var form = ReferForm(need: req.query[String.self, at: "need"].map { String($0.prefix(ReferralRules.needMax)) }, urgency: "this_month")
        var page = ReferPage(layout: req.layout(title: "Refer a client to \(detail.name)"), receiver: detail, form: form,
                             urgencies: ReferralUrgency.allCases.map { .init(value: $0.rawValue, label: $0.label) })
        if let requestID = req.query[UUID.self, at: "request"] {
            // Picked from the requests board: the request's words are the need, and it must still be the viewer's and open.
            do {
                let request = try await ReferralRequests.ownOpen(requestID, by: user, on: req.db)
                form.need = String(request.need.prefix(ReferralRules.needMax))
                form.request = requestID.uuidString
                form.answer = req.query[UUID.self, at: "answer"]?.uuidString
                page.form = form
                page.fromRequest = request.title
            } catch let error as RequestsError {
                page.formError = error.reason
            }
        }
        if detail.userID == user.id { page.formError = ReferralsError.selfReferral.reason }
        return try await req.view.render("Referrals/new", page)
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let detail = try await receiver(req)
        let form = try req.content.decode(ReferForm.self)
        let draft = ReferralDraft(
            receiverSlug: detail.slug, clientName: form.clientName ?? "", clientEmail: form.clientEmail ?? "",
            clientPhone: form.clientPhone ?? "", need: form.need ?? "", note: form.note ?? "", urgency: form.urgency ?? "",
            consent: form.consent == "yes")
        do {
            var request: Referrals.FromRequest?
            if let raw = form.request, !raw.isEmpty {
                guard let id = UUID(uuidString: raw) else { throw RequestsError.notFound }
                let answer = try form.answer.flatMap { $0.isEmpty ? nil : $0 }.map { raw in
                    guard let answer = UUID(uuidString: raw) else { throw RequestsError.answerMismatch }
                    return answer
                }
                request = .init(id: id, answer: answer)
            }
            let id = try await Referrals.create(draft, by: user, request: request, baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Referral sent to \(detail.name). You will hear when they accept it.")
            return req.redirect(to: "/referrals/\(id)", redirectType: .normal)
        } catch let error as any AppError where error is ReferralsError || error is RequestsError {
            var page = ReferPage(layout: req.layout(title: "Refer a client to \(detail.name)"), receiver: detail, form: form,
                                 urgencies: ReferralUrgency.allCases.map { .init(value: $0.rawValue, label: $0.label) })
            page.show(error)
            return try await req.view.render("Referrals/new", page).encodeResponse(for: req).with(error)
        }
    }

    func index(req: Request) async throws -> View {
        let user = try req.requireUser()
        let role = req.query[String.self, at: "role"].flatMap(Referrals.Role.init(rawValue:))
        let status = req.query[String.self, at: "status"].flatMap(ReferralStatus.init(rawValue:))
        let rows = try await Referrals.ledger(of: try user.requireID(), role: role, status: status, on: req.db)
        return try await req.view.render("Referrals/index", LedgerPage(
            layout: req.layout(title: "Referrals"), summary: try await Reciprocity.summary(for: try user.requireID(), on: req.db),
            role: role?.rawValue ?? "", status: status?.rawValue ?? "",
            statuses: ReferralStatus.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            items: rows.map { LedgerPage.Item($0, viewer: user.id) }))
    }

    func exportMine(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return ReferralExport.memberResponse(try await ReferralExport.member(try user.requireID(), on: req.db))
    }

    func referral(_ req: Request) async throws -> (User, ReferralRecord) {
        let user = try req.requireUser()
        guard let id = req.parameters.get("referralID", as: UUID.self),
              let referral = try await Referrals.visible(id, to: user, on: req.db) else { throw CommonError.notFound }
        return (user, referral)
    }

    func show(req: Request) async throws -> View {
        let (user, referral) = try await referral(req)
        return try await render(referral, for: user, req: req)
    }

    func render(_ referral: ReferralRecord, for user: User, error: (any AppError)? = nil, req: Request) async throws -> View {
        let written = try await Testimonials.written(referral.id, by: user.id, on: req.db)
        var page = ReferralPage(
            layout: req.layout(title: "Referral of \(referral.client_name)"), referral: .init(referral, viewer: user.id),
            history: try await Referrals.history(referral.id, on: req.db).map(ReferralPage.Event.init),
            isReceiver: referral.receiver_id == user.id, isGiver: referral.giver_id == user.id,
            next: referral.receiver_id == user.id ? referral.statusValue.next.map { .init(value: $0.rawValue, label: $0.label) } : [],
            canPassOn: referral.giver_id == user.id && referral.statusValue == .declined,
            canWriteTestimonial: referral.statusValue == .won && (referral.giver_id == user.id || referral.receiver_id == user.id)
                && !written,
            testimonialSubject: referral.giver_id == user.id ? referral.receiver_name : referral.giver_name)
        if let error {
            page.show(error)
            // The form's fields are `amount` and `currency`; the API names them `value.amount` and `value.currency`.
            for (api, form) in [("value.amount", "amount"), ("value.currency", "currency")] {
                if let message = page.errors.removeValue(forKey: api) { page.errors[form] = message }
            }
        }
        return try await req.view.render("Referrals/show", page)
    }

    struct TransitionForm: Content {
        var to: String?
        var reason: String?
        var amount: String?
        var currency: String?
    }

    func transition(req: Request) async throws -> Response {
        let (user, referral) = try await referral(req)
        let form = try req.content.decode(TransitionForm.self)
        do {
            guard let to = form.to.flatMap(ReferralStatus.init(rawValue:)) else {
                throw ReferralsError.invalid(field: "to", "Choose the referral's next step.")
            }
            var value: Money?
            if to == .won {
                switch Money.parse(amount: form.amount ?? "", currency: form.currency ?? "") {
                case .success(let money): value = money
                case .failure(let problem): throw ReferralsError.badValue(problem)
                }
            }
            try await Referrals.transition(referral.id, to: to, reason: form.reason, value: value, by: user,
                                               baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "The referral is now \(to.label.lowercased()).")
            return req.redirect(to: "/referrals/\(referral.id)", redirectType: .normal)
        } catch let error as ReferralsError {
            return try await render(referral, for: user, error: error, req: req).encodeResponse(for: req).with(error)
        }
    }

    func testimonial(req: Request) async throws -> Response {
        let (user, referral) = try await referral(req)
        struct Form: Content { var text: String? }
        do {
            _ = try await Testimonials.write(about: referral.id, by: user, text: try req.content.decode(Form.self).text ?? "", on: req.db)
            req.flash(.success, "Thank you: the testimonial shows on their profile.")
            return req.redirect(to: "/referrals/\(referral.id)", redirectType: .normal)
        } catch let error as ReferralsError {
            return try await render(referral, for: user, error: error, req: req).encodeResponse(for: req).with(error)
        }
    }

    /// The subject hides a testimonial from their profile, or shows it again; nobody edits one.
    func hideTestimonial(req: Request) async throws -> Response {
        let user = try req.requireUser()
        struct Form: Content { var hidden: String? }
        let hidden = try req.content.decode(Form.self).hidden != "false"
        guard let id = req.parameters.get("testimonialID", as: UUID.self),
              try await Testimonials.setHidden(id, hidden, by: user, on: req.db) else { throw CommonError.notFound }
        req.flash(.success, hidden ? "The testimonial is hidden from your profile." : "The testimonial shows on your profile again.")
        let slug = try await Profile.find(userID: user.requireID(), on: req.db)?.slug
        return req.redirect(to: slug.map { "/m/\($0)" } ?? "/", redirectType: .normal)
    }

    /// The giver sends a declined client to someone else; the new referral remembers where it came from.
    func passOn(req: Request) async throws -> Response {
        let (user, referral) = try await referral(req)
        guard referral.giver_id == user.id, referral.statusValue == .declined else {
            throw ReferralsError.invalid(field: "to", "Only a declined referral can be passed on, by the member who gave it.")
        }
        struct PassForm: Content { var to: String? }
        let slug = try req.content.decode(PassForm.self).to?.trimmingWhitespace() ?? ""
        let draft = ReferralDraft(receiverSlug: slug.hasPrefix("/m/") ? String(slug.dropFirst(3)) : slug,
                                  clientName: referral.client_name, clientEmail: referral.client_email, clientPhone: referral.client_phone,
                                  need: referral.need, note: referral.note, urgency: referral.urgency, consent: true)
        do {
            let id = try await Referrals.create(draft, by: user, passedFrom: referral.id, baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "The client was passed on; this referral keeps the history of the first one.")
            return req.redirect(to: "/referrals/\(id)", redirectType: .normal)
        } catch let error as ReferralsError {
            // An unknown member typed here is a mistake in the form, shown on the page, not a missing page.
            let shown: ReferralsError = if case .unknownMember = error { .invalid(field: "to", error.reason) } else { error }
            return try await render(referral, for: user, error: shown, req: req).encodeResponse(for: req).with(shown)
        }
    }
}
