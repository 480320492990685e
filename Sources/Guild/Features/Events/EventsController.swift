import Fluent
import Formats
import Validation
import Vapor

/// Events as pages: upcoming dates, an event's page (the one people share: title and description
/// for link previews), RSVP, the organizers' form, cancellation, check-in at the door, "who was
/// there" afterwards with one tap to keep someone as a contact. `/events/{id}.ics` is one date's file.
struct EventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("events", use: list)
        let member = routes.grouped(RequireSignInMiddleware())
        member.get("events", "new", use: newForm)
        member.post("events", use: create)
        routes.get("events", ":eventID", use: show)
        member.get("events", ":eventID", "edit", use: editForm)
        member.post("events", ":eventID", use: update)
        member.post("events", ":eventID", "cancel", use: cancel)
        member.post("events", ":eventID", "rsvp", use: rsvp)
        member.get("events", ":eventID", "checkin", use: checkInList)
        member.post("events", ":eventID", "checkins", use: checkIn)
        member.post("events", ":eventID", "attendees", ":userID", "contact", use: keepContact)
    }

    /// The zone a visitor asked to see times in (`?tz=`, then remembered in a cookie), if any.
    static func viewerZone(_ req: Request) -> TimeZone? {
        if let asked = req.query[String.self, at: "tz"], let zone = EventRules.timeZone(asked) { return zone }
        return req.cookies["guild_tz"].flatMap { EventRules.timeZone($0.string) }
    }

    static func remember(_ req: Request, _ response: Response) -> Response {
        if let asked = req.query[String.self, at: "tz"], EventRules.timeZone(asked) != nil {
            response.cookies["guild_tz"] = HTTPCookies.Value(string: asked, maxAge: 365 * 86_400, path: "/", isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }

    func list(req: Request) async throws -> Response {
        let query = String((req.query[String.self, at: "q"] ?? "").prefix(100))
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 1000))
        let rows = try await Events.upcoming(query: query, page: page, pageSize: Events.pageSize + 1, on: req.db)
        let viewer = Self.viewerZone(req)
        struct ListPage: Encodable {
            var layout: Layout
            var query: String
            /// How many cards, and their `<li>`s (`EventCardView.html`); the zone `<option>`s likewise.
            var shown: Int
            var eventsHTML: String
            var zoneOptions: String
            var nextPage: Int?
            var previousPage: Int?
        }
        let cards = rows.prefix(Events.pageSize).map { EventCardView($0, viewer: viewer) }
        let view = try await req.view.render("Events/index", ListPage(
            layout: req.layout(title: "Events"), query: query, shown: cards.count, eventsHTML: cards.map(\.html).joined(),
            zoneOptions: EventCardView.zoneOptions(selected: viewer?.identifier ?? ""),
            nextPage: rows.count > Events.pageSize ? page + 1 : nil, previousPage: page > 1 ? page - 1 : nil))
        return Self.remember(req, try await view.encodeResponse(for: req))
    }

    // MARK: the form

    struct FormInput: Content {
        var title: String?
        var description: String?
        var start: String?
        var minutes: String?
        var timeZone: String?
        var place: String?
        var onlineURL: String?
        var capacity: String?
        var attendeesPublic: String?
        var recurrence: String?
        var circle: String?
        var speaker: [String]?
        var topic: [String]?
        var speakerCancelled: [String]?

        var form: EventFormPage.Form {
            var form = EventFormPage.Form(
                title: title ?? "", description: description ?? "", start: start ?? "", minutes: minutes ?? "90",
                timeZone: timeZone ?? "UTC", place: place ?? "", onlineURL: onlineURL ?? "", capacity: capacity ?? "",
                attendeesPublic: ["on", "true", "1"].contains(attendeesPublic ?? ""), recurrence: recurrence ?? "", circle: circle ?? "")
            let speakers = speaker ?? [], topics = topic ?? [], cancelled = Set(speakerCancelled ?? [])
            form.agenda = (0..<max(speakers.count, topics.count)).map { index in
                .init(index: index, speaker: index < speakers.count ? speakers[index] : "", topic: index < topics.count ? topics[index] : "",
                      cancelled: cancelled.contains(String(index)))
            }
            return form
        }
    }

    static func fields(_ form: EventFormPage.Form) throws -> EventFields {
        guard let minutes = Int(form.minutes.trimmingWhitespace()) else {
            throw EventsError.invalid(field: "minutes", "Say how long the event lasts, in minutes.")
        }
        var capacity: Int?
        if !form.capacity.trimmingWhitespace().isEmpty {
            guard let number = Int(form.capacity.trimmingWhitespace()) else {
                throw EventsError.invalid(field: "capacity", "Capacity is a number of people, or empty for no limit.")
            }
            capacity = number
        }
        return EventFields(title: form.title, description: form.description, start: form.start, minutes: minutes, timeZone: form.timeZone,
                           place: form.place, onlineURL: form.onlineURL, capacity: capacity, attendeesPublic: form.attendeesPublic,
                           agenda: form.agenda.map { .init(speaker: $0.speaker, topic: $0.topic, speakerCancelled: $0.cancelled) })
    }

    static let repeatChoices: [Choice] = [
        .init(value: "", label: "Does not repeat"), .init(value: "FREQ=WEEKLY", label: "Every week"),
        .init(value: "FREQ=WEEKLY;INTERVAL=2", label: "Every two weeks"), .init(value: "FREQ=MONTHLY", label: "Every month, same date"),
    ]

    func formPage(_ req: Request, form: EventFormPage.Form, eventID: UUID? = nil) async throws -> EventFormPage {
        let user = try req.requireUser()
        let organized = try await Circles.of(try user.requireID(), on: req.db)
        var circles: [Choice] = [.init(value: "", label: "My own event (no circle)")]
        for circle in organized where try await Circles.role(of: user.id, in: circle.id, on: req.db) == .organizer {
            circles.append(.init(value: circle.slug, label: circle.name))
        }
        var agenda = form.agenda
        while agenda.count < 3 { agenda.append(.init(index: agenda.count, speaker: "", topic: "", cancelled: false)) }
        var form = form
        form.agenda = agenda
        return EventFormPage(layout: req.layout(title: eventID == nil ? "Plan an event" : "Edit \(form.title)"), form: form, eventID: eventID,
                             circles: circles, zones: EventFields.commonZones, repeatChoices: Self.repeatChoices)
    }

    func newForm(req: Request) async throws -> View {
        var form = EventFormPage.Form()
        form.circle = String((req.query[String.self, at: "circle"] ?? "").prefix(80))
        if let zone = Self.viewerZone(req) { form.timeZone = zone.identifier }
        return try await req.view.render("Events/form", try await formPage(req, form: form))
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(FormInput.self).form
        do {
            var circle: CircleRecord?
            if !form.circle.isEmpty {
                guard let found = try await Circles.find(slug: form.circle, on: req.db) else {
                    throw EventsError.invalid(field: "circle", "There is no such circle.")
                }
                guard try await Circles.role(of: user.id, in: found.id, on: req.db) == .organizer || user.role == .admin else {
                    throw EventsError.invalid(field: "circle", "Only the circle's organizers can plan its events; make it your own event instead.")
                }
                circle = found
            }
            let event = try await Events.create(try Self.fields(form), recurrence: form.recurrence, circle: circle, host: try user.requireID(), on: req.db)
            req.flash(.success, "\(event.title) is planned. Share its page; people answer there.")
            return req.redirect(to: "/events/\(event.id)", redirectType: .normal)
        } catch let error as EventsError {
            var page = try await formPage(req, form: form)
            page.show(error)
            return try await req.view.render("Events/form", page).encodeResponse(for: req).with(error)
        }
    }

    func editForm(req: Request) async throws -> View {
        let event = try await Events.require(try Self.eventID(req), on: req.db)
        try await Events.requireManager(event, try req.requireUser(), on: req.db)
        let agenda = try await Events.agenda(of: event.id, on: req.db)
        var form = EventFormPage.Form(
            title: event.title, description: event.description, start: EventTimes.local(event.starts_at, zone: event.zone),
            minutes: String(Int(event.ends_at.timeIntervalSince(event.starts_at) / 60)), timeZone: event.time_zone, place: event.place,
            onlineURL: event.online_url, capacity: event.capacity.map(String.init) ?? "", attendeesPublic: event.attendees_public)
        form.agenda = agenda.enumerated().map { .init(index: $0, speaker: $1.speaker, topic: $1.topic, cancelled: $1.speaker_cancelled) }
        return try await req.view.render("Events/form", try await formPage(req, form: form, eventID: event.id))
    }

    func update(req: Request) async throws -> Response {
        let event = try await Events.require(try Self.eventID(req), on: req.db)
        try await Events.requireManager(event, try req.requireUser(), on: req.db)
        let form = try req.content.decode(FormInput.self).form
        do {
            _ = try await Events.update(event, try Self.fields(form), baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Saved. Everyone who answered yes or maybe is told when the time or place changes.")
            return req.redirect(to: "/events/\(event.id)", redirectType: .normal)
        } catch let error as EventsError {
            var page = try await formPage(req, form: form, eventID: event.id)
            page.show(error)
            return try await req.view.render("Events/form", page).encodeResponse(for: req).with(error)
        }
    }

    // MARK: the event's page

    static func eventID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("eventID", as: UUID.self) else { throw EventsError.eventNotFound }
        return id
    }

    func show(req: Request) async throws -> Response {
        let raw = req.parameters.get("eventID") ?? ""
        if raw.hasSuffix(".ics") {
            guard let id = UUID(uuidString: String(raw.dropLast(4))) else { throw EventsError.eventNotFound }
            let event = try await Events.require(id, on: req.db)
            let going = try await Attendance.state(of: req.currentUser?.id, at: event.id, on: req.db) == .going
            let manages = try await Events.canManage(event, req.currentUser, on: req.db)
            let showOnline = going || manages
            return EventCalendar.response(try await EventCalendar.file(for: event, showOnline: showOnline, on: req.db,
                                                                       baseURL: req.application.guildConfig.baseURL),
                                          filename: "event-\(id.uuidString.lowercased())")
        }
        let page = try await Self.page(req)
        return Self.remember(req, try await req.view.render("Events/show", page).encodeResponse(for: req))
    }

    static func page(_ req: Request, error: (any AppError)? = nil, now: Date = Date()) async throws -> EventPage {
        let event = try await Events.require(try eventID(req), on: req.db)
        let user = req.currentUser
        let circle = try await Circles.of(event: event, on: req.db)
        let canManage = try await Events.canManage(event, user, on: req.db)
        let state = try await Attendance.state(of: user?.id, at: event.id, on: req.db)
        let checkedIn = try await Attendance.isCheckedIn(user?.id, at: event.id, on: req.db)
        let mayList = try await Attendance.mayListAttendees(event, user, on: req.db)
        let attendees = mayList ? try await Attendance.attendees(of: event.id, on: req.db) : []
        let over = event.ends_at < now
        let showWhoWasThere = (checkedIn || canManage) && now >= event.starts_at
        let there = showWhoWasThere ? try await Attendance.checkedIn(to: event.id, on: req.db) : []
        let niches = try await Profiles.nicheNames(of: (attendees + there).map(\.user_id), on: req.db)
        func person(_ row: AttendeeRow) -> EventPage.Person {
            let state = row.answer == "maybe" ? "maybe" : row.waitlisted_at != nil ? "waitlist" : "going"
            return .init(userID: row.user_id, name: row.name, slug: row.slug, business: row.business ?? "",
                         niches: Array((niches[row.user_id] ?? []).prefix(3)), state: state, checkedIn: row.checked_in_at != nil)
        }
        let viewer = viewerZone(req)
        var seriesText: String?
        if event.series_id != nil || event.recurrence != nil {
            let first = event.series_id == nil ? event : try await Events.find(event.seriesID, on: req.db)
            seriesText = first?.recurrence.flatMap { try? Recurrence(parsing: $0) }?.summary
        }
        var layout = req.layout(title: event.title)
        var preview = [EventTimes.describe(event.starts_at, end: event.ends_at, zone: event.zone), event.place.isEmpty ? "online" : event.place]
        if let circle { preview.append(circle.name) }
        let summary = event.description.isEmpty ? "" : " — " + String(event.description.prefix(200))
        layout.description = preview.joined(separator: " · ") + summary
        var page = EventPage(
            layout: layout, id: event.id, title: event.title, descriptionHTML: event.description_html,
            when: EventTimes.describe(event.starts_at, end: event.ends_at, zone: event.zone),
            viewerWhen: viewer.flatMap { $0.secondsFromGMT(for: event.starts_at) != event.zone.secondsFromGMT(for: event.starts_at)
                ? EventTimes.describe(event.starts_at, end: event.ends_at, zone: $0) : nil },
            place: event.place, onlineURL: (state == .going || canManage) ? event.online_url : (event.online_url.isEmpty ? "" : "hidden"),
            circleName: circle?.name, circleSlug: circle?.slug, repeats: seriesText, capacity: event.capacity, going: event.going,
            seatsLeft: event.seatsLeft, cancelled: event.isCancelled, cancelReason: event.cancel_reason, over: over,
            agenda: try await Events.agenda(of: event.id, on: req.db).map { .init(speaker: $0.speaker, topic: $0.topic, cancelled: $0.speaker_cancelled) },
            signedIn: user != nil, state: state.label, answer: state.apiName, canManage: canManage,
            checkInOpen: Attendance.checkInOpen(event, now: now), checkedIn: checkedIn, mayListAttendees: mayList,
            attendees: attendees.map(person), whoWasThere: there.filter { $0.user_id != user?.id }.map(person), showWhoWasThere: showWhoWasThere)
        if let error { page.show(error) }
        return page
    }

    func rsvp(req: Request) async throws -> Response {
        struct Input: Content { var answer: String? }
        let id = try Self.eventID(req)
        let user = try req.requireUser()
        do {
            guard let answer = RSVPAnswer(rawValue: try req.content.decode(Input.self).answer ?? "") else {
                throw EventsError.invalid(field: "answer", "Answer yes, maybe or no.")
            }
            let state = try await Attendance.rsvp(id, try user.requireID(), answer, baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, state.label + ".")
            return req.redirect(to: "/events/\(id)", redirectType: .normal)
        } catch let error as EventsError where error != .eventNotFound {
            return try await req.view.render("Events/show", try await Self.page(req, error: error)).encodeResponse(for: req).with(error)
        }
    }

    func cancel(req: Request) async throws -> Response {
        struct Input: Content { var reason: String? }
        let event = try await Events.require(try Self.eventID(req), on: req.db)
        try await Events.requireManager(event, try req.requireUser(), on: req.db)
        do {
            _ = try await Events.cancel(event, reason: try req.content.decode(Input.self).reason ?? "", baseURL: req.application.guildConfig.baseURL, on: req.db)
        } catch let error as EventsError {
            return try await req.view.render("Events/show", try await Self.page(req, error: error)).encodeResponse(for: req).with(error)
        }
        req.flash(.success, "Cancelled; everyone who answered yes or maybe is told.")
        return req.redirect(to: "/events/\(event.id)", redirectType: .normal)
    }
}
