import Fluent
import Vapor

/// Follow-ups, touches and emails: the Today list, and the forms on a contact's page.
extension ContactsController {
    static func bootFollowUps(_ routes: any RoutesBuilder) throws {
        let controller = ContactsController()
        routes.get("today", use: controller.today)
        routes.post("contacts", ":contactID", "followups", use: controller.addFollowUp)
        routes.post("contacts", ":contactID", "touches", use: controller.logTouch)
        routes.get("contacts", ":contactID", "email", use: controller.composeEmail)
        routes.post("contacts", ":contactID", "email", use: controller.sendEmail)
        routes.post("contacts", ":contactID", "emails", ":emailID", "answered", use: controller.markEmailAnswered)
        routes.post("followups", ":followUpID", "done", use: controller.followUpDone)
        routes.post("followups", ":followUpID", "snooze", use: controller.followUpSnooze)
        routes.post("followups", ":followUpID", "answered", use: controller.followUpAnswered)
    }

    func today(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        let today = FollowUps.day()
        // Three independent reads at once (on PostgreSQL, three connections): the page waits for the slowest.
        async let chart = ResponseChart.load(owner, on: req.db)
        async let digestOn = Notifications.emails(owner, .followUpDigest, on: req.db)
        let list = try await FollowUps.today(of: owner, today: today, on: req.db)
        func items(_ rows: [FollowUpRecord]) -> [TodayPage.Item] {
            rows.map { .init(id: $0.id, contactID: $0.contact_id, contactName: $0.contact_name, purpose: $0.purpose, day: $0.day, emailed: $0.emailed_at != nil) }
        }
        let layout = req.layout(title: "Today"), nextWeek = FollowUps.day(offsetDays: 7)
        func section(_ rows: [FollowUpRecord]) -> TodayPage.Section {
            .init(items(rows), today: today, nextWeek: nextWeek, csrf: layout.csrf)
        }
        return try await req.view.render("Contacts/today", TodayPage(
            layout: layout, today: today, tomorrow: FollowUps.day(offsetDays: 1), nextWeek: nextWeek,
            overdue: section(list.overdue), due: section(list.due), snoozed: section(list.snoozed), waiting: section(list.waiting),
            chart: try await chart, digestOn: try await digestOn))
    }

    /// Where a follow-up form goes back to: the page it was posted from, when that is one of ours.
    func back(_ req: Request, fallback: String) -> String {
        let raw = (try? req.content.get(String.self, at: "back")) ?? ""
        return ["/today", "/contacts"].contains(where: { raw == $0 }) ? raw : fallback
    }

    func addFollowUp(req: Request) async throws -> Response {
        struct Input: Content { var purpose: String?; var due: String? }
        let owner = try req.requireUser().requireID()
        let input = try req.content.decode(Input.self)
        let contact = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        do {
            _ = try await FollowUps.create(contact: contact.id, purpose: input.purpose ?? "", due: input.due ?? "", owner: owner, on: req.db)
            req.flash(.success, "Follow-up on \(input.due ?? "").")
            return req.redirect(to: "/contacts/\(contact.id)", redirectType: .normal)
        } catch let error as ContactsError {
            return try await req.view.render("Contacts/show", try await Self.page(req, error: error)).encodeResponse(for: req).with(error)
        }
    }

    func logTouch(req: Request) async throws -> Response {
        struct Input: Content { var kind: String?; var outcome: String? }
        let owner = try req.requireUser().requireID()
        let input = try req.content.decode(Input.self)
        let contact = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        do {
            guard let kind = TouchKind(rawValue: input.kind ?? ""), kind != .email else {
                throw ContactsError.invalid(field: "kind", "Choose call, met, message or “they replied”.")
            }
            let outcome = (input.outcome ?? "").trimmingWhitespace()
            guard outcome.unicodeScalars.count <= 500 else { throw ContactsError.invalid(field: "outcome", "The outcome can be at most 500 characters.") }
            try await req.db.writeTransaction(reportingGeneration: false) { db in
                try await FollowUps.logTouch(contact: contact.id, followUp: nil, kind: kind, outcome: outcome, owner: owner, on: db)
            }
            req.flash(.success, "Logged.")
            return req.redirect(to: "/contacts/\(contact.id)", redirectType: .normal)
        } catch let error as ContactsError {
            return try await req.view.render("Contacts/show", try await Self.page(req, error: error)).encodeResponse(for: req).with(error)
        }
    }

    func emailPage(_ req: Request, form: ContactMail.Draft, followUp: UUID?) async throws -> ContactEmailPage {
        let owner = try req.requireUser().requireID()
        let contact = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        let addresses = (try await Contacts.handles(of: [contact.id], on: req.db)[contact.id] ?? []).filter { $0.kind == "email" }.map(\.value)
        let settings = try await ContactSettings.load(owner, on: req.db)
        return ContactEmailPage(layout: req.layout(title: "Write to \(contact.name)"), contactID: contact.id, contactName: contact.name,
                                addresses: addresses, followUpID: followUp,
                                replyDomain: settings.replyDomain ?? req.application.guildConfig.effectiveReplyDomain, form: form)
    }

    func composeEmail(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        let followUpID = req.query[UUID.self, at: "followup"]
        var draft = ContactMail.Draft()
        if let followUpID {
            let followUp = try await FollowUps.find(followUpID, owner: owner, on: req.db)
            draft.subject = followUp.purpose
        }
        var page = try await emailPage(req, form: draft, followUp: followUpID)
        if page.addresses.isEmpty { page.show(ContactsError.noEmail) }
        return try await req.view.render("Contacts/email", page)
    }

    func sendEmail(req: Request) async throws -> Response {
        struct Input: Content { var to: String?; var subject: String?; var body: String?; var followup: String? }
        let user = try req.requireUser()
        let input = try req.content.decode(Input.self)
        let draft = ContactMail.Draft(to: input.to ?? "", subject: input.subject ?? "", body: input.body ?? "")
        let followUp = input.followup.flatMap { $0.isEmpty ? nil : UUID(uuidString: $0) }
        do {
            try await ContactMail.send(draft, contact: req.parameters.get("contactID", as: UUID.self), followUp: followUp, from: user,
                                       config: req.application.guildConfig, on: req.db)
            req.flash(.success, "Sent. When they answer, the follow-up is marked answered here.")
            return req.redirect(to: "/contacts/\(req.parameters.get("contactID") ?? "")", redirectType: .normal)
        } catch let error as ContactsError where error != .notFound && error != .followUpNotFound {
            var page = try await emailPage(req, form: draft, followUp: followUp)
            page.show(error)
            return try await req.view.render("Contacts/email", page).encodeResponse(for: req).with(error)
        }
    }

    func markEmailAnswered(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        let contact = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        try await ContactMail.markAnswered(req.parameters.get("emailID", as: UUID.self), owner: owner, on: req.db)
        req.flash(.success, "Marked answered.")
        return req.redirect(to: "/contacts/\(contact.id)", redirectType: .normal)
    }

    func followUpDone(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        let followUp = try await FollowUps.find(req.parameters.get("followUpID", as: UUID.self), owner: owner, on: req.db)
        try await FollowUps.markDone(followUp.id, owner: owner, on: req.db)
        req.flash(.success, "Done: \(followUp.purpose).")
        return req.redirect(to: back(req, fallback: "/contacts/\(followUp.contact_id)"), redirectType: .normal)
    }

    func followUpSnooze(req: Request) async throws -> Response {
        struct Input: Content { var until: String? }
        let owner = try req.requireUser().requireID()
        let followUp = try await FollowUps.find(req.parameters.get("followUpID", as: UUID.self), owner: owner, on: req.db)
        let until = try req.content.decode(Input.self).until ?? ""
        do {
            try await FollowUps.snooze(followUp.id, until: until, owner: owner, on: req.db)
            req.flash(.success, "Snoozed to \(until).")
        } catch let error as ContactsError {
            req.flash(.error, error.reason)
        }
        return req.redirect(to: back(req, fallback: "/contacts/\(followUp.contact_id)"), redirectType: .normal)
    }

    func followUpAnswered(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        let followUp = try await FollowUps.find(req.parameters.get("followUpID", as: UUID.self), owner: owner, on: req.db)
        try await req.db.writeTransaction(reportingGeneration: false) { db in
            try await FollowUps.markAnswered(followUp.id, on: db)
            try await db.sql.raw("""
                UPDATE contact_emails SET answered_at = COALESCE(answered_at, \(bind: Date())) WHERE followup_id = \(bind: followUp.id)
                """).run()
            try await FollowUps.logTouch(contact: followUp.contact_id, followUp: followUp.id, kind: .reply,
                                         outcome: "Answered “\(followUp.purpose)” (marked by hand)", owner: owner, on: db)
        }
        req.flash(.success, "Marked answered.")
        return req.redirect(to: back(req, fallback: "/contacts/\(followUp.contact_id)"), redirectType: .normal)
    }
}
