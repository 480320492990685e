import Fluent
import Vapor

/// At the door and after: the organizer's check-in list, check-in (by the organizer or with the
/// venue's code), and keeping someone who was there as a contact.
extension EventsController {
    func checkInList(req: Request) async throws -> View {
        let event = try await Events.require(try Self.eventID(req), on: req.db)
        try await Events.requireManager(event, try req.requireUser(), on: req.db)
        let rows = try await Attendance.attendees(of: event.id, on: req.db).filter { $0.answer == "yes" && $0.waitlisted_at == nil }
        let walkIns = try await Attendance.checkedIn(to: event.id, on: req.db).filter { row in !rows.contains { $0.user_id == row.user_id } }
        let people = (rows + walkIns).map {
            EventPage.Person(userID: $0.user_id, name: $0.name, slug: $0.slug, business: $0.business ?? "", niches: [], state: "going",
                             checkedIn: $0.checked_in_at != nil)
        }
        return try await req.view.render("Events/checkin", CheckInPage(
            layout: req.layout(title: "Check-in: \(event.title)"), id: event.id, title: event.title,
            when: EventTimes.describe(event.starts_at, end: event.ends_at, zone: event.zone), code: event.checkin_code,
            open: Attendance.checkInOpen(event, now: Date()), people: people, checkedIn: people.filter(\.checkedIn).count))
    }

    /// With `userID`: the organizer checks that person in. With `code`: the member checks in themselves.
    func checkIn(req: Request) async throws -> Response {
        struct Input: Content { var userID: String?; var code: String? }
        let user = try req.requireUser()
        let event = try await Events.require(try Self.eventID(req), on: req.db)
        let input = try req.content.decode(Input.self)
        do {
            if let typed = input.userID, !typed.isEmpty {
                try await Events.requireManager(event, user, on: req.db)
                guard let target = UUID(uuidString: typed) else { throw EventsError.memberNotFound }
                try await Attendance.checkIn(event, target, by: try user.requireID(), code: nil, on: req.db)
                return req.redirect(to: "/events/\(event.id)/checkin", redirectType: .normal)
            }
            try await Attendance.checkIn(event, try user.requireID(), by: nil, code: input.code, on: req.db)
            req.flash(.success, "You are checked in. Afterwards this page shows who was there.")
            return req.redirect(to: "/events/\(event.id)", redirectType: .normal)
        } catch let error as EventsError where error != .notOrganizer {
            return try await req.view.render("Events/show", try await Self.page(req, error: error)).encodeResponse(for: req).with(error)
        }
    }

    /// "Keep as a contact" beside someone who was there.
    func keepContact(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let event = try await Events.require(try Self.eventID(req), on: req.db)
        guard let member = req.parameters.get("userID", as: UUID.self) else { throw EventsError.memberNotFound }
        let wasThere = try await Attendance.isCheckedIn(user.id, at: event.id, on: req.db)
        let runsIt = try await Events.canManage(event, user, on: req.db)
        guard wasThere || runsIt else { throw EventsError.notThere }
        guard try await Attendance.isCheckedIn(member, at: event.id, on: req.db) else { throw EventsError.memberNotFound }
        let id = try await Attendance.contact(from: event, member: member, for: try user.requireID(), on: req.db)
        req.flash(.success, "Kept as a contact, met at \(event.title). Add a follow-up while you remember what you talked about.")
        return req.redirect(to: "/contacts/\(id)", redirectType: .normal)
    }
}
