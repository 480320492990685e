import Fluent
import Validation
import Vapor

/// Circles as pages: the list, a circle with its members side by side by niche and its next events,
/// joining and leaving, and the organizers' tools (edit, invite, remove with a reason, hand on).
/// `/circles/{slug}.ics` is the circle's calendar feed.
struct CirclesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("circles", use: list)
        let member = routes.grouped(RequireSignInMiddleware())
        member.get("circles", "new", use: newForm)
        member.post("circles", use: create)
        routes.get("circles", ":slug", use: show)
        member.get("circles", ":slug", "edit", use: editForm)
        member.post("circles", ":slug", use: update)
        member.post("circles", ":slug", "join", use: join)
        member.post("circles", ":slug", "leave", use: leave)
        member.post("circles", ":slug", "invitations", use: invite)
        member.post("circles", ":slug", "members", ":userID", "remove", use: remove)
        member.post("circles", ":slug", "members", ":userID", "organizer", use: makeOrganizer)
    }

    struct FormInput: Content {
        var name: String?
        var description: String?
        var city: String?
        var online: String?

        var form: CircleFormPage.Form {
            .init(name: name ?? "", description: description ?? "", city: city ?? "", online: ["on", "true", "1"].contains(online ?? ""))
        }
        var fields: CircleFields { CircleFields(name: name ?? "", description: description ?? "", city: city ?? "", online: form.online) }
    }

    func list(req: Request) async throws -> View {
        let query = String((req.query[String.self, at: "q"] ?? "").prefix(100))
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 1000))
        let (rows, total) = try await Circles.list(query: query, page: page, on: req.db)
        return try await req.view.render("Events/circles", CirclesListPage(
            layout: req.layout(title: "Circles"), query: query, circles: rows.map(CircleCardView.init), total: total,
            nextPage: page * Circles.pageSize < total ? page + 1 : nil, previousPage: page > 1 ? page - 1 : nil))
    }

    func newForm(req: Request) async throws -> View {
        try await req.view.render("Events/circle-form", CircleFormPage(layout: req.layout(title: "Start a circle"), form: .init()))
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(FormInput.self)
        do {
            let circle = try await Circles.create(input.fields, by: try user.requireID(), on: req.db)
            req.flash(.success, "\(circle.name) is open. Invite people, then plan its first event.")
            return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
        } catch let error as EventsError {
            var page = CircleFormPage(layout: req.layout(title: "Start a circle"), form: input.form)
            page.show(error)
            return try await req.view.render("Events/circle-form", page).encodeResponse(for: req).with(error)
        }
    }

    func show(req: Request) async throws -> Response {
        let slug = req.parameters.get("slug") ?? ""
        if slug.hasSuffix(".ics") {
            let circle = try await Circles.require(slug: String(slug.dropLast(4)), on: req.db)
            return EventCalendar.response(try await EventCalendar.feed(for: circle, on: req.db, baseURL: req.application.guildConfig.baseURL),
                                          filename: circle.slug)
        }
        return try await req.view.render("Events/circle", try await Self.page(req, slug: slug)).encodeResponse(for: req)
    }

    static func page(_ req: Request, slug: String, error: (any AppError)? = nil) async throws -> CirclePage {
        let circle = try await Circles.require(slug: slug, on: req.db)
        let members = try await Circles.members(of: circle.id, on: req.db)
        let niches = try await Profiles.nicheNames(of: members.map(\.user_id), on: req.db)
        var counts: [String: Int] = [:]
        for member in members { for niche in Set(niches[member.user_id] ?? []) { counts[niche, default: 0] += 1 } }
        let role = try await Circles.role(of: req.currentUser?.id, in: circle.id, on: req.db)
        let viewer = EventsController.viewerZone(req)
        var page = CirclePage(
            layout: req.layout(title: circle.name), slug: circle.slug, name: circle.name, place: CircleCardView(circle).place,
            descriptionHTML: circle.description_html, memberCount: circle.member_count,
            nicheCounts: counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(12).map { .init(niche: $0.key, count: $0.value) },
            members: members.map {
                .init(userID: $0.user_id, name: $0.name, slug: $0.slug, business: $0.business ?? "", niches: Array((niches[$0.user_id] ?? []).prefix(3)),
                      organizer: $0.role == CircleRole.organizer.rawValue)
            },
            events: try await Events.upcoming(circle: circle.id, on: req.db).map { EventCardView($0, viewer: viewer) },
            signedIn: req.currentUser != nil, isMember: role != nil,
            isOrganizer: role == .organizer || req.currentUser?.role == .admin,
            invitation: String((req.query[String.self, at: "invitation"] ?? "").prefix(100)))
        if let error { page.show(error) }
        return page
    }

    func editForm(req: Request) async throws -> View {
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        try await Circles.requireOrganizer(try req.requireUser(), of: circle, on: req.db)
        return try await req.view.render("Events/circle-form", CircleFormPage(
            layout: req.layout(title: "Edit \(circle.name)"),
            form: .init(name: circle.name, description: circle.description, city: circle.city, online: circle.online), slug: circle.slug))
    }

    func update(req: Request) async throws -> Response {
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        try await Circles.requireOrganizer(try req.requireUser(), of: circle, on: req.db)
        let input = try req.content.decode(FormInput.self)
        do {
            _ = try await Circles.update(circle, input.fields, on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
        } catch let error as EventsError {
            var page = CircleFormPage(layout: req.layout(title: "Edit \(circle.name)"), form: input.form, slug: circle.slug)
            page.show(error)
            return try await req.view.render("Events/circle-form", page).encodeResponse(for: req).with(error)
        }
    }

    func join(req: Request) async throws -> Response {
        struct Input: Content { var invitation: String? }
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        let input = try req.content.decode(Input.self)
        try await Circles.join(circle, try req.requireUser().requireID(), invitation: input.invitation, on: req.db)
        req.flash(.success, "You joined \(circle.name).")
        return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
    }

    func leave(req: Request) async throws -> Response {
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        do {
            try await Circles.leave(circle, try req.requireUser().requireID(), on: req.db)
        } catch let error as EventsError {
            return try await rerender(req, circle, error)
        }
        req.flash(.success, "You left \(circle.name).")
        return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
    }

    func invite(req: Request) async throws -> Response {
        struct Input: Content { var emails: String? }
        let user = try req.requireUser()
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        try await Circles.requireOrganizer(user, of: circle, on: req.db)
        let typed = FormText.list(try req.content.decode(Input.self).emails ?? "")
        do {
            guard !typed.isEmpty else { throw EventsError.invalid(field: "emails", "Give at least one email address.") }
            guard typed.count <= 50 else { throw EventsError.invalid(field: "emails", "Invite at most 50 people at a time.") }
            var addresses: [String] = []
            for text in typed {
                let address = text.lowercased()
                guard EmailAddress.isValid(address) else {
                    throw EventsError.invalid(field: "emails", "“\(text.prefix(80))” is not an email address.")
                }
                addresses.append(address)
            }
            let sent = try await Circles.invite(addresses, to: circle, by: user, baseURL: req.application.guildConfig.baseURL, on: req.db)
            let skipped = addresses.count - sent
            req.flash(.success, "\(sent) invitation\(sent == 1 ? "" : "s") sent." + (skipped > 0 ? " \(skipped) already invited this week." : ""))
            return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
        } catch let error as EventsError {
            return try await rerender(req, circle, error)
        }
    }

    func remove(req: Request) async throws -> Response {
        struct Input: Content { var reason: String? }
        let user = try req.requireUser()
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        try await Circles.requireOrganizer(user, of: circle, on: req.db)
        guard let target = req.parameters.get("userID", as: UUID.self) else { throw EventsError.memberNotFound }
        do {
            try await Circles.remove(target, from: circle, reason: try req.content.decode(Input.self).reason ?? "", by: try user.requireID(),
                                     baseURL: req.application.guildConfig.baseURL, on: req.db)
        } catch let error as EventsError {
            return try await rerender(req, circle, error)
        }
        req.flash(.success, "Removed; they were told why.")
        return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
    }

    func makeOrganizer(req: Request) async throws -> Response {
        struct Input: Content { var stepDown: String? }
        let user = try req.requireUser()
        let circle = try await Circles.require(slug: req.parameters.get("slug") ?? "", on: req.db)
        try await Circles.requireOrganizer(user, of: circle, on: req.db)
        guard let target = req.parameters.get("userID", as: UUID.self) else { throw EventsError.memberNotFound }
        let stepDown = ["on", "true", "1"].contains(try req.content.decode(Input.self).stepDown ?? "")
        do {
            try await Circles.makeOrganizer(target, of: circle, by: try user.requireID(), stepDown: stepDown,
                                            baseURL: req.application.guildConfig.baseURL, on: req.db)
        } catch let error as EventsError {
            return try await rerender(req, circle, error)
        }
        req.flash(.success, stepDown ? "You handed the organizer role on." : "They are now an organizer too.")
        return req.redirect(to: "/circles/\(circle.slug)", redirectType: .normal)
    }

    private func rerender(_ req: Request, _ circle: CircleRecord, _ error: EventsError) async throws -> Response {
        try await req.view.render("Events/circle", try await Self.page(req, slug: circle.slug, error: error)).encodeResponse(for: req).with(error)
    }
}
