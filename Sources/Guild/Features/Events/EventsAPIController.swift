import Formats
import Foundation
import OpenAPIRuntime
import Validation
import Vapor

extension GuildAPI {
    // MARK: circles

    func listCircles(_ input: Operations.ListCircles.Input) async throws -> Operations.ListCircles.Output {
        let request = try req
        let page = input.query.page ?? 1
        guard (1...1000).contains(page) else { throw CommonError.invalidParameter(.init(field: "page", message: "page must be from 1 to 1000.")) }
        let query = try Self.checkedQuery(input.query.q)
        let (rows, total) = try await Circles.list(query: query, page: page, on: request.db)
        return .ok(.init(body: .json(.init(items: rows.map { Self.circle($0, baseURL: request.application.guildConfig.baseURL) }, total: total))))
    }

    func createCircle(_ input: Operations.CreateCircle.Input) async throws -> Operations.CreateCircle.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let city = body.city ?? ""
        let circle = try await Circles.create(
            CircleFields(name: body.name, description: body.description ?? "", city: city, online: body.online ?? city.isEmpty),
            by: try user.requireID(), on: request.db)
        return .created(.init(body: .json(Self.circle(circle, baseURL: request.application.guildConfig.baseURL))))
    }

    func getCircle(_ input: Operations.GetCircle.Input) async throws -> Operations.GetCircle.Output {
        let request = try req
        let circle = try await Circles.require(slug: input.path.slug, on: request.db)
        let members = try await Circles.members(of: circle.id, on: request.db)
        let niches = try await Profiles.nicheNames(of: members.map(\.user_id), on: request.db)
        return .ok(.init(body: .json(.init(
            circle: Self.circle(circle, baseURL: request.application.guildConfig.baseURL),
            members: members.map {
                .init(name: $0.name, profile: $0.slug, business: $0.business, role: .init(rawValue: $0.role) ?? .member,
                      niches: niches[$0.user_id] ?? [])
            }))))
    }

    func joinCircle(_ input: Operations.JoinCircle.Input) async throws -> Operations.JoinCircle.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let circle = try await Circles.require(slug: input.path.slug, on: request.db)
        try await Circles.join(circle, try user.requireID(), on: request.db)
        let saved = try await Circles.require(id: circle.id, on: request.db)
        return .ok(.init(body: .json(Self.circle(saved, baseURL: request.application.guildConfig.baseURL))))
    }

    func leaveCircle(_ input: Operations.LeaveCircle.Input) async throws -> Operations.LeaveCircle.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let circle = try await Circles.require(slug: input.path.slug, on: request.db)
        try await Circles.leave(circle, try user.requireID(), on: request.db)
        return .noContent(.init())
    }

    /// `q` as the document allows it: at most 100 characters.
    static func checkedQuery(_ q: String?) throws -> String {
        guard (q?.unicodeScalars.count ?? 0) <= 100 else {
            throw CommonError.invalidParameter(.init(field: "q", message: "q can be at most 100 characters."))
        }
        return q ?? ""
    }

    static func circle(_ circle: CircleRecord, baseURL: String) -> Components.Schemas.Circle {
        .init(slug: circle.slug, name: circle.name, description: circle.description, descriptionHtml: circle.description_html,
              city: circle.city, online: circle.online, memberCount: circle.member_count,
              url: "\(baseURL)/circles/\(circle.slug)", calendarUrl: "\(baseURL)/circles/\(circle.slug).ics")
    }

    // MARK: events

    func listEvents(_ input: Operations.ListEvents.Input) async throws -> Operations.ListEvents.Output {
        let request = try req
        let page = input.query.page ?? 1
        guard (1...1000).contains(page) else { throw CommonError.invalidParameter(.init(field: "page", message: "page must be from 1 to 1000.")) }
        let query = try Self.checkedQuery(input.query.q)
        var circleID: UUID?
        if let slug = input.query.circle {
            guard slug.unicodeScalars.count <= 80 else {
                throw CommonError.invalidParameter(.init(field: "circle", message: "circle is a slug of at most 80 characters."))
            }
            circleID = try await Circles.require(slug: slug, on: request.db).id
        }
        let rows = try await Events.upcoming(circle: circleID, query: query, page: page, on: request.db)
        var items: [Components.Schemas.Event] = []
        for row in rows { items.append(try await Self.event(row.id, viewer: nil, on: request)) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func createEvent(_ input: Operations.CreateEvent.Input) async throws -> Operations.CreateEvent.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        // A name the schema allows may still be no zone the system knows: a reference to nothing, as an unknown circle is.
        guard let zone = EventRules.timeZone(body.timeZone) else { throw EventsError.unknownTimeZone(body.timeZone) }
        var circle: CircleRecord?
        if let slug = body.circle {
            let found = try await Circles.require(slug: slug, on: request.db)
            guard try await Circles.role(of: user.id, in: found.id, on: request.db) == .organizer || user.role == .admin else {
                throw EventsError.notOrganizer
            }
            circle = found
        }
        let fields = EventFields(
            title: body.title, description: body.description ?? "",
            minutes: body.minutes ?? 90, timeZone: zone.identifier, place: body.place ?? "", onlineURL: body.onlineUrl ?? "",
            capacity: body.capacity, attendeesPublic: body.attendeesPublic ?? true,
            agenda: (body.agenda ?? []).map { .init(speaker: $0.speaker ?? "", topic: $0.topic ?? "", speakerCancelled: $0.speakerCancelled ?? false) },
            startInstant: body.start)
        let rule = try body.recurrence.map { try Self.recurrence($0, start: body.start, zone: zone) }
        let event = try await Events.create(fields, recurrence: rule?.rule, circle: circle, host: try user.requireID(), on: request.db)
        return .created(.init(body: .json(try await Self.event(event.id, viewer: user, on: request))))
    }

    /// The API's recurrence object as a rule. With both an end count and an end date, the earlier end wins.
    static func recurrence(_ body: Components.Schemas.NewRecurrence, start: Date, zone: TimeZone) throws -> Recurrence {
        if let interval = body.interval, !(1...52).contains(interval) {
            throw EventsError.invalid(field: "recurrence.interval", "interval is a whole number from 1 to 52.")
        }
        if let count = body.count, !(1...520).contains(count) {
            throw EventsError.invalid(field: "recurrence.count", "count is a whole number from 1 to 520.")
        }
        // The generator reads the enum's `null` as an empty string; an empty string itself is no week of the month.
        if body.weekOfMonth?.rawValue == "" {
            throw EventsError.invalid(field: "recurrence.weekOfMonth", "weekOfMonth is first, second, third, fourth, fifth or last.")
        }
        if (body.days?.count ?? 0) > 7 || Set(body.days ?? []).count != (body.days?.count ?? 0) {
            throw EventsError.invalid(field: "recurrence.days", "days lists each weekday at most once.")
        }
        let ordinal: Int? = body.weekOfMonth.flatMap { ["first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1][$0.rawValue] }
        let frequency: Recurrence.Frequency = body.frequency.rawValue == "monthly" ? .monthly : .weekly
        let days = (body.days ?? []).compactMap { Recurrence.Weekday(rawValue: $0.rawValue) }
            .map { Recurrence.Day($0, ordinal: frequency == .monthly ? ordinal : nil) }
        var until: Date?
        if let text = body.until {
            guard let day = FollowUps.checkedDay(text) else { throw EventsError.invalid(field: "recurrence.until", "until must be a date like 2027-06-30.") }
            until = EventRules.instant(day + "T23:59", in: zone)
        }
        var rule = Recurrence(frequency: frequency, interval: body.interval ?? 1, days: days, count: body.count, until: nil)
        if let count = body.count, let until {
            let dates = rule.occurrences(start: start, in: zone, within: start...start.addingTimeInterval(20 * 366 * 86_400), limit: count)
            rule.count = nil
            rule.until = min(until, dates.last ?? until)
        } else {
            rule.until = until
        }
        return rule
    }

    func getEvent(_ input: Operations.GetEvent.Input) async throws -> Operations.GetEvent.Output {
        let request = try req
        let viewer = try await APIAuth.optionalUser(request)
        return .ok(.init(body: .json(try await Self.event(try Self.eventID(input.path.id), viewer: viewer, on: request))))
    }

    func answerEvent(_ input: Operations.AnswerEvent.Input) async throws -> Operations.AnswerEvent.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let answer = RSVPAnswer(rawValue: body.answer.rawValue) else { throw EventsError.invalid(field: "answer", "Answer yes, maybe or no.") }
        let id = try Self.eventID(input.path.id)
        let state = try await Attendance.rsvp(id, try user.requireID(), answer, baseURL: request.application.guildConfig.baseURL, on: request.db)
        let event = try await Events.require(id, on: request.db)
        var position: Int?
        if case .waitlisted(let place) = state { position = place }
        return .ok(.init(body: .json(.init(state: .init(rawValue: state.apiName) ?? .none, waitlistPosition: position, going: event.going,
                                           seatsLeft: event.seatsLeft))))
    }

    func checkInToEvent(_ input: Operations.CheckInToEvent.Input) async throws -> Operations.CheckInToEvent.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let event = try await Events.require(try Self.eventID(input.path.id), on: request.db)
        let member: UUID
        if let raw = body.member {
            try await Events.requireManager(event, user, on: request.db)
            guard let id = UUID(uuidString: raw) else { throw EventsError.memberNotFound }
            member = id
            try await Attendance.checkIn(event, member, by: try user.requireID(), code: nil, on: request.db)
        } else {
            member = try user.requireID()
            try await Attendance.checkIn(event, member, by: nil, code: body.code, on: request.db)
        }
        return .created(.init(body: .json(.init(member: member.uuidString.lowercased(), checkedInAt: Date()))))
    }

    func listEventAttendees(_ input: Operations.ListEventAttendees.Input) async throws -> Operations.ListEventAttendees.Output {
        let request = try req
        let viewer = try await APIAuth.optionalUser(request)
        let event = try await Events.require(try Self.eventID(input.path.id), on: request.db)
        guard try await Attendance.mayListAttendees(event, viewer, on: request.db) else {
            throw viewer == nil ? CommonError.notSignedIn : CommonError.forbidden
        }
        let rows = try await Attendance.attendees(of: event.id, on: request.db)
        return .ok(.init(body: .json(.init(items: rows.map {
            .init(name: $0.name, profile: $0.slug, business: $0.business,
                  state: $0.answer == "maybe" ? .maybe : $0.waitlisted_at != nil ? .waitlisted : .going, checkedIn: $0.checked_in_at != nil)
        }))))
    }

    static func eventID(_ raw: String) throws -> UUID {
        guard let id = UUID(uuidString: raw) else { throw EventsError.eventNotFound }
        return id
    }

    static func event(_ id: UUID, viewer: User?, on request: Request) async throws -> Components.Schemas.Event {
        let event = try await Events.require(id, on: request.db)
        let baseURL = request.application.guildConfig.baseURL
        let circle = try await Circles.of(event: event, on: request.db)
        let state = try await Attendance.state(of: viewer?.id, at: event.id, on: request.db)
        let canManage = try await Events.canManage(event, viewer, on: request.db)
        let first = event.series_id == nil ? event : try await Events.find(event.seriesID, on: request.db)
        let rule = first?.recurrence
        return .init(
            id: event.id.uuidString.lowercased(), title: event.title, description: event.description, descriptionHtml: event.description_html,
            start: event.starts_at, end: event.ends_at, timeZone: event.time_zone, localStart: EventTimes.local(event.starts_at, zone: event.zone),
            place: event.place, onlineUrl: state == .going || canManage ? event.online_url : nil, capacity: event.capacity,
            going: event.going, seatsLeft: event.seatsLeft, status: event.isCancelled ? .cancelled : .scheduled,
            cancelReason: event.isCancelled ? event.cancel_reason : nil, circle: circle?.slug,
            seriesId: rule == nil ? nil : event.seriesID.uuidString.lowercased(), recurrence: rule,
            recurrenceSummary: rule.flatMap { try? Recurrence(parsing: $0) }?.summary, attendeesPublic: event.attendees_public,
            agenda: try await Events.agenda(of: event.id, on: request.db).map { .init(speaker: $0.speaker, topic: $0.topic, speakerCancelled: $0.speaker_cancelled) },
            myAnswer: viewer == nil ? nil : .init(rawValue: state.apiName),
            url: "\(baseURL)/events/\(event.id)", calendarUrl: "\(baseURL)/events/\(event.id).ics")
    }
}
