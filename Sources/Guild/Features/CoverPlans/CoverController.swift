import Fluent
import Validation
import Vapor

/// The cover plan as pages: who covers me and whom I cover, "I'm out" / "I'm back", the trusted
/// contact, and for organizers the members of their circles with no cover. Signed-in members only;
/// the runbook pages are in `CoverController+Runbook.swift`, the trusted contact's link in
/// `CoverActivationLinkController`.
struct CoverController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let member = routes.grouped(RequireSignInMiddleware())
        member.get("cover", use: dashboard)
        member.post("cover", "backups", use: ask)
        member.post("cover", "backups", ":backupID", "accept", use: accept)
        member.post("cover", "backups", ":backupID", "decline", use: decline)
        member.post("cover", "backups", ":backupID", "end", use: end)
        member.post("cover", "backups", ":backupID", "move", use: move)
        member.post("cover", "out", use: out)
        member.post("cover", "back", use: back)
        member.post("cover", "trusted-contact", use: nameContact)
        member.post("cover", "trusted-contact", "remove", use: removeContact)
        member.post("cover", "organizers", use: saveSwitchConsents)
        member.get("cover", "circles", use: circles)
        member.post("cover", "members", ":memberID", "out", use: organizerOut)
        member.post("cover", "members", ":memberID", "back", use: organizerBack)
        member.get("cover", "activations", ":activationID", use: activation)
        member.post("cover", "activations", ":activationID", "thanks", use: thank)
        member.get("cover", "runbook", use: runbook)
        member.post("cover", "runbook", "basics", use: saveBasics)
        member.post("cover", "runbook", "clients", use: saveClient)
        member.post("cover", "runbook", "clients", ":itemID", use: saveClient)
        member.post("cover", "runbook", "clients", ":itemID", "delete", use: deleteClient)
        member.post("cover", "runbook", "duties", use: saveDuty)
        member.post("cover", "runbook", "duties", ":itemID", use: saveDuty)
        member.post("cover", "runbook", "duties", ":itemID", "delete", use: deleteDuty)
        member.get("cover", "for", ":memberID", use: covering)
        member.post("cover", "for", ":memberID", "handoffs", use: recordHandoff)
    }

    func dashboard(req: Request) async throws -> View {
        let user = try req.requireUser()
        var page = try await CoverDashboard.query(req, user: user)
        page.askWith = String((req.query[String.self, at: "with"] ?? "").prefix(200))
        return try await req.view.render("Cover/index", page)
    }

    /// Re-renders the page with an error beside the form it came from.
    func dashboard(_ req: Request, error: CoverPlansError, _ fill: (inout CoverDashboard) -> Void = { _ in }) async throws -> Response {
        var page = try await CoverDashboard.query(req, user: try req.requireUser())
        fill(&page)
        page.show(error)
        return try await req.view.render("Cover/index", page).encodeResponse(for: req).with(error)
    }

    func ask(req: Request) async throws -> Response {
        struct Input: Content { var with: String?; var niche: String?; var message: String? }
        let me = try req.requireUser().requireID()
        let input = try req.content.decode(Input.self)
        do {
            _ = try await CoverBackups.ask(me, backupSlug: FormText.profileSlug(input.with ?? ""), nicheSlug: input.niche, message: input.message ?? "",
                                           baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Asked. They become your backup when they accept.")
            return req.redirect(to: "/cover", redirectType: .normal)
        } catch let error as CoverPlansError {
            return try await dashboard(req, error: error == .memberNotFound ? .invalid(field: "with", "There is no member with that profile; paste their profile's address.") : error) { page in
                page.askWith = input.with ?? ""
                page.askNiche = input.niche ?? ""
                page.askMessage = input.message ?? ""
            }
        }
    }

    func accept(req: Request) async throws -> Response {
        try await act(req, "Accepted: you are their backup now. Thank you.") { me, id in
            try await CoverBackups.answer(id, accept: true, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
        }
    }

    func decline(req: Request) async throws -> Response {
        try await act(req, "Declined; they have been told.") { me, id in
            try await CoverBackups.answer(id, accept: false, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
        }
    }

    func end(req: Request) async throws -> Response {
        try await act(req, "Ended; they have been told.") { me, id in
            try await CoverBackups.end(id, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
        }
    }

    func move(req: Request) async throws -> Response {
        struct Input: Content { var position: Int? }
        let position = (try? req.content.decode(Input.self).position) ?? 1
        return try await act(req, "Order saved.") { me, id in
            try await CoverBackups.move(id, to: position, by: me, on: req.db)
        }
    }

    func act(_ req: Request, _ done: String, _ action: (UUID, UUID?) async throws -> Void) async throws -> Response {
        let me = try req.requireUser().requireID()
        do {
            try await action(me, req.parameters.get("backupID", as: UUID.self))
            req.flash(.success, done)
            return req.redirect(to: "/cover", redirectType: .normal)
        } catch let error as CoverPlansError where error != .backupNotFound {
            return try await dashboard(req, error: error)
        }
    }

    struct OutInput: Content {
        var expectedBack: String?
        var note: String?

        func parsed() throws -> (Date?, String) {
            let day = (expectedBack ?? "").trimmingWhitespace()
            guard day.isEmpty || CalendarDay.parse(day) != nil else {
                throw CoverPlansError.invalid(field: "expectedBack", "Write the return date as YYYY-MM-DD, or leave it empty.")
            }
            return (day.isEmpty ? nil : CalendarDay.parse(day), note ?? "")
        }
    }

    func out(req: Request) async throws -> Response {
        let me = try req.requireUser().requireID()
        let input = try req.content.decode(OutInput.self)
        do {
            let (back, note) = try input.parsed()
            _ = try await CoverActivations.start(me, by: .member(me), expectedBack: back, note: note, baseURL: req.application.guildConfig.baseURL,
                                                 cipher: req.application.runbookCipher, on: req.db)
            req.flash(.success, "Your cover is on and your backups have been told. Get well; say “I'm back” when you are.")
            return req.redirect(to: "/cover", redirectType: .normal)
        } catch let error as CoverPlansError {
            return try await dashboard(req, error: error)
        }
    }

    func back(req: Request) async throws -> Response {
        let user = try req.requireUser()
        do {
            let id = try await CoverActivations.end(try user.requireID(), by: user, baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Welcome back. Here is what happened while you were out.")
            return req.redirect(to: "/cover/activations/\(id)", redirectType: .normal)
        } catch let error as CoverPlansError {
            return try await dashboard(req, error: error)
        }
    }

    func nameContact(req: Request) async throws -> Response {
        struct Input: Content { var name: String?; var email: String? }
        let me = try req.requireUser().requireID()
        let input = try req.content.decode(Input.self)
        do {
            let link = try await CoverTrustedContacts.name(me, name: input.name ?? "", email: input.email ?? "",
                                                           baseURL: req.application.guildConfig.baseURL, on: req.db)
            // Shown once, on this response only: it is never stored in a form we can show again.
            var page = try await CoverDashboard.query(req, user: try req.requireUser())
            page.newLink = link
            return try await req.view.render("Cover/index", page).encodeResponse(for: req)
        } catch let error as CoverPlansError {
            return try await dashboard(req, error: error) { page in
                page.contactName = input.name ?? ""
                page.contactEmail = input.email ?? ""
            }
        }
    }

    func removeContact(req: Request) async throws -> Response {
        let me = try req.requireUser().requireID()
        try await CoverTrustedContacts.revoke(me, on: req.db)
        req.flash(.success, "Removed: their link no longer works.")
        return req.redirect(to: "/cover", redirectType: .normal)
    }

    /// "Organizers of these circles may switch my cover on": one checkbox per circle (`circle-<id>`).
    func saveSwitchConsents(req: Request) async throws -> Response {
        let me = try req.requireUser().requireID()
        let form = try req.content.decode([String: String].self)
        let circles = Set(form.keys.compactMap { key in key.hasPrefix("circle-") ? UUID(uuidString: String(key.dropFirst("circle-".count))) : nil })
        try await CoverSwitchConsents.set(circles, for: me, on: req.db)
        req.flash(.success, circles.isEmpty ? "Only you, your trusted contact and an admin can switch your cover on."
                  : "Saved: those circles' organizers may switch your cover on.")
        return req.redirect(to: "/cover", redirectType: .normal)
    }

    func circles(req: Request) async throws -> View {
        let user = try req.requireUser()
        guard try await CoverDashboard.organizesCircles(try user.requireID(), on: req.db) || user.role == .admin else {
            throw CommonError.forbidden
        }
        return try await req.view.render("Cover/circles", try await CoverCirclesPage.query(req, user: user))
    }

    /// An organizer of one of the member's circles (or an admin) switches their cover on.
    func organizerOut(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let member = try await organizerTarget(req, user)
        let input = try req.content.decode(OutInput.self)
        let (back, note) = try input.parsed()
        _ = try await CoverActivations.start(member, by: .organizer(try user.requireID()), expectedBack: back, note: note,
                                             baseURL: req.application.guildConfig.baseURL, cipher: req.application.runbookCipher, on: req.db)
        req.flash(.success, "Cover is on; their backups and they have been told.")
        return req.redirect(to: "/cover/circles", redirectType: .normal)
    }

    func organizerBack(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let member = try await organizerTarget(req, user)
        _ = try await CoverActivations.end(member, by: user, baseURL: req.application.guildConfig.baseURL, on: req.db)
        req.flash(.success, "Cover ended; they and their backups have been told.")
        return req.redirect(to: "/cover/circles", redirectType: .normal)
    }

    func organizerTarget(_ req: Request, _ user: User) async throws -> UUID {
        guard let member = req.parameters.get("memberID", as: UUID.self),
              try await User.find(member, on: req.db) != nil else { throw CoverPlansError.memberNotFound }
        guard try await CoverActivations.mayAct(user, for: member, on: req.db) else { throw CoverPlansError.notAllowed }
        return member
    }
}
