import Fluent
import Formats
import Validation
import Vapor

/// One-to-ones as pages: ask for one (from "who was there" or a profile), pick a time, move or cancel
/// it, download it for a calendar. Signed-in members only, and only the two people in it see it.
struct OneToOnesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let member = routes.grouped(RequireSignInMiddleware())
        member.get("one-to-ones", use: list)
        member.get("one-to-ones", "new", use: newForm)
        member.post("one-to-ones", use: create)
        member.get("one-to-ones", ":oneToOneID", use: show)
        member.get("one-to-ones", ":oneToOneID", "invite.ics", use: invitation)
        member.post("one-to-ones", ":oneToOneID", "accept", use: accept)
        member.post("one-to-ones", ":oneToOneID", "decline", use: decline)
        member.post("one-to-ones", ":oneToOneID", "cancel", use: cancel)
        member.post("one-to-ones", ":oneToOneID", "move", use: move)
    }

    struct Form: Encodable, Sendable {
        var with = ""
        var withName = ""
        var event = ""
        var slot1 = ""
        var slot2 = ""
        var slot3 = ""
        var minutes = "30"
        var timeZone = "UTC"
        var place = ""
        var note = ""
    }

    struct FormPageContext: Encodable, FormPage {
        var layout: Layout
        var form: Form
        var durations = ["15", "30", "45", "60", "90"]
        var zones = EventFields.commonZones
        var errors: [String: String] = [:]
        var formError: String?
    }

    struct Item: Encodable, Sendable {
        var id: UUID
        var other: String
        var status: String
        var when: String
        var waitingForMe: Bool
    }

    func list(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        let rows = try await OneToOnes.list(of: me, on: req.db)
        let people = try await People.byID(rows.map { $0.other(than: me) }, on: req.db)
        let items = rows.map { row in
            Item(id: row.id, other: people[row.other(than: me)]?.name ?? "A former member", status: row.status,
                 when: row.starts_at.map { EventTimes.brief($0, zone: row.zone) } ?? "time not picked yet",
                 waitingForMe: row.state == .proposed && row.invitee_id == me)
        }
        struct Page: Encodable { var layout: Layout; var items: [Item] }
        return try await req.view.render("Events/one-to-ones", Page(layout: req.layout(title: "One-to-ones"), items: items))
    }

    func newForm(req: Request) async throws -> View {
        _ = try req.requireUser()
        var form = Form()
        form.with = String((req.query[String.self, at: "with"] ?? "").prefix(80))
        form.event = req.query[UUID.self, at: "event"]?.uuidString ?? ""
        // The event's zone is the likeliest one for meeting its people; else the zone the visitor chose to see times in.
        if let id = req.query[UUID.self, at: "event"], let event = try await Events.find(id, on: req.db) {
            form.timeZone = event.time_zone
        } else if let zone = EventsController.viewerZone(req) {
            form.timeZone = zone.identifier
        }
        var page = FormPageContext(layout: req.layout(title: "Ask for a one-to-one"), form: form)
        if let invitee = try await OneToOnes.member(slug: form.with, on: req.db) {
            page.form.withName = invitee.name
        } else {
            page.show(EventsError.invalid(field: "with", "Open this form from a member's profile or from “who was there”."))
        }
        return try await req.view.render("Events/one-to-one-form", page)
    }

    func create(req: Request) async throws -> Response {
        let me = try req.requireUser().requireID()
        var form = try req.content.decode(FormInput.self).form
        let invitee = try await OneToOnes.member(slug: form.with, on: req.db)
        form.withName = invitee?.name ?? ""
        do {
            guard let invitee else { throw EventsError.memberNotFound }
            let starts = try OneToOnes.instants([form.slot1, form.slot2, form.slot3], timeZone: form.timeZone)
            guard let minutes = Int(form.minutes) else { throw EventsError.invalid(field: "minutes", "Pick how long it lasts.") }
            let id = try await OneToOnes.propose(
                .init(invitee: invitee.id, event: UUID(uuidString: form.event), starts: starts, minutes: minutes,
                      timeZone: form.timeZone, place: form.place, note: form.note),
                by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Asked. You will hear when a time is picked.")
            return req.redirect(to: "/one-to-ones/\(id)", redirectType: .normal)
        } catch let error as EventsError {
            var page = FormPageContext(layout: req.layout(title: "Ask for a one-to-one"), form: form)
            page.show(error == .memberNotFound ? EventsError.invalid(field: "with", error.reason) : error)
            return try await req.view.render("Events/one-to-one-form", page).encodeResponse(for: req).with(error)
        }
    }

    struct FormInput: Content {
        var with: String?
        var event: String?
        var slot1: String?
        var slot2: String?
        var slot3: String?
        var minutes: String?
        var timeZone: String?
        var place: String?
        var note: String?

        var form: Form {
            Form(with: with ?? "", event: event ?? "", slot1: slot1 ?? "", slot2: slot2 ?? "", slot3: slot3 ?? "", minutes: minutes ?? "30",
                 timeZone: (timeZone ?? "").trimmingWhitespace(), place: place ?? "", note: note ?? "")
        }
    }

    func show(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        let meeting = try await OneToOnes.require(req.parameters.get("oneToOneID", as: UUID.self), viewer: me, on: req.db)
        return try await render(req, meeting, viewer: me)
    }

    func render(_ req: Request, _ meeting: OneToOneRecord, viewer me: UUID, error: EventsError? = nil) async throws -> View {
        struct Slot: Encodable { var position: Int; var label: String }
        struct Page: Encodable, FormPage {
            var layout: Layout
            var id: UUID
            var other: String
            var otherSlug: String?
            var status: String
            var when: String?
            var viewerWhen: String?
            var place: String
            var note: String
            var slots: [Slot]
            var canPick: Bool
            var canCancel: Bool
            var canMove: Bool
            var moveStart: String
            var timeZone: String
            var event: String?
            var eventID: UUID?
            var errors: [String: String] = [:]
            var formError: String?
        }
        let people = try await People.byID([meeting.other(than: me)], on: req.db)
        let other = people[meeting.other(than: me)]
        let slots = try await OneToOnes.slots(of: meeting.id, on: req.db)
        var event: EventRecord?
        if let id = meeting.event_id { event = try await Events.find(id, on: req.db) }
        let viewerZone = EventsController.viewerZone(req)
        var page = Page(
            layout: req.layout(title: "One-to-one with \(other?.name ?? "a former member")"), id: meeting.id, other: other?.name ?? "A former member",
            otherSlug: other?.slug, status: meeting.status,
            when: meeting.starts_at.map { EventTimes.describe($0, end: meeting.ends_at ?? $0, zone: meeting.zone) },
            viewerWhen: viewerZone.flatMap { zone in
                zone.identifier == meeting.zone.identifier ? nil : meeting.starts_at.map { EventTimes.describe($0, end: meeting.ends_at ?? $0, zone: zone) }
            },
            place: meeting.place, note: meeting.note,
            slots: slots.map { Slot(position: $0.position, label: EventTimes.describe($0.starts_at, end: $0.ends_at, zone: meeting.zone)) },
            canPick: meeting.state == .proposed && meeting.invitee_id == me,
            canCancel: meeting.state == .proposed || meeting.state == .confirmed,
            canMove: meeting.state == .confirmed,
            moveStart: meeting.starts_at.map { EventTimes.local($0, zone: meeting.zone) } ?? "",
            timeZone: meeting.time_zone, event: event?.title, eventID: event?.id)
        if let error { page.show(error) }
        return try await req.view.render("Events/one-to-one", page)
    }

    /// The meeting as a file for a calendar, for either of the two.
    func invitation(req: Request) async throws -> Response {
        let me = try req.requireUser().requireID()
        let meeting = try await OneToOnes.require(req.parameters.get("oneToOneID", as: UUID.self), viewer: me, on: req.db)
        let people = try await People.byID([meeting.proposer_id, meeting.invitee_id], on: req.db)
        guard let entry = OneToOnes.calendarEvent(meeting, people: people, baseURL: req.application.guildConfig.baseURL) else {
            throw EventsError.invalid(field: "slot", "No time is picked yet, so there is nothing for a calendar.")
        }
        return EventCalendar.response(ICalendar.write([entry], method: .publish, name: entry.summary), filename: "one-to-one")
    }

    func accept(req: Request) async throws -> Response {
        struct Input: Content { var slot: Int? }
        return try await act(req) { me, id in
            try await OneToOnes.accept(id, slot: (try? req.content.decode(Input.self).slot) ?? 0, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
            return "Confirmed: the invitation is on its way to you both."
        }
    }

    func decline(req: Request) async throws -> Response {
        try await act(req) { me, id in
            try await OneToOnes.decline(id, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
            return "Declined; they have been told."
        }
    }

    func cancel(req: Request) async throws -> Response {
        try await act(req) { me, id in
            try await OneToOnes.cancel(id, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
            return "Cancelled; they have been told."
        }
    }

    func move(req: Request) async throws -> Response {
        struct Input: Content { var start: String?; var minutes: String? }
        return try await act(req) { me, id in
            let input = try req.content.decode(Input.self)
            let meeting = try await OneToOnes.require(id, viewer: me, on: req.db)
            guard let start = EventRules.instant((input.start ?? "").trimmingWhitespace(), in: meeting.zone) else {
                throw EventsError.invalid(field: "start", "Give a date and time like 2027-03-17T08:00 that exists in \(meeting.time_zone).")
            }
            let minutes = Int(input.minutes ?? "") ?? Int((meeting.ends_at ?? start).timeIntervalSince(meeting.starts_at ?? start) / 60)
            try await OneToOnes.move(id, to: start, minutes: minutes, by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
            return "Moved: the updated invitation is on its way to you both."
        }
    }

    /// Runs an action on the one-to-one in the path: back to its page with a note, or the page again with the error.
    func act(_ req: Request, _ action: (UUID, UUID?) async throws -> String) async throws -> Response {
        let me = try req.requireUser().requireID()
        let id = req.parameters.get("oneToOneID", as: UUID.self)
        do {
            let note = try await action(me, id)
            req.flash(.success, note)
            return req.redirect(to: "/one-to-ones/\(id?.uuidString ?? "")", redirectType: .normal)
        } catch let error as EventsError where error != .oneToOneNotFound {
            let meeting = try await OneToOnes.require(id, viewer: me, on: req.db)
            return try await render(req, meeting, viewer: me, error: error).encodeResponse(for: req).with(error)
        }
    }
}
