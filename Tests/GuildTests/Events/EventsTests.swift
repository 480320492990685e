import Fluent
import Foundation
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Formats
@testable import Guild

/// An event starting `hours` from now, planned by `host` (of `circle` when given).
func makeEvent(
    _ title: String = "Wednesday breakfast", host: User, circle: CircleRecord? = nil, hours: Double = 48, capacity: Int? = nil,
    attendeesPublic: Bool = true, recurrence: String? = nil, on app: Application
) async throws -> EventRecord {
    let zone = TimeZone(identifier: "Europe/London")!
    let start = EventTimes.local(Date().addingTimeInterval(hours * 3_600), zone: zone)
    return try await Events.create(
        EventFields(title: title, start: start, minutes: 90, timeZone: zone.identifier, place: "The Corner Café", capacity: capacity,
                    attendeesPublic: attendeesPublic),
        recurrence: recurrence, circle: circle, host: host.requireID(), on: app.db)
}

@Suite("Events: seats, waitlist, check-in and who was there")
struct EventsTests {
    @Test("fifty members answer yes at once for the last seat: exactly one gets it, forty-nine wait in order")
    func noOversell() async throws {
        try await withGuild { app, _ in
            // setup: a 3-seat breakfast with two seats taken, and fifty more members
            let host = try await User.make(name: "Hana Host", on: app)
            let event = try await makeEvent(host: host, capacity: 3, on: app)
            for index in 0..<2 {
                let early = try await User.make(name: "Early \(index)", on: app)
                _ = try await Attendance.rsvp(event.id, early.requireID(), .yes, baseURL: "http://x", on: app.db)
            }
            var people: [UUID] = []
            for index in 0..<50 { people.append(try await User.make(name: "Late \(index)", on: app).requireID()) }
            // act
            let states = try await withThrowingTaskGroup(of: RSVPState.self) { group in
                for person in people { group.addTask { try await Attendance.rsvp(event.id, person, .yes, baseURL: "http://x", on: app.db) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // assert
            #expect(states.filter { $0 == .going }.count == 1)
            let positions = states.compactMap { if case .waitlisted(let position) = $0 { position } else { nil } }
            #expect(positions.count == 49)
            #expect(try await Events.require(event.id, on: app.db).going == 3)
            struct Row: Decodable { var n: Int }
            let seated = try await app.db.sql.raw("""
                SELECT COUNT(*) AS n FROM event_rsvps WHERE event_id = \(bind: event.id) AND answer = 'yes' AND waitlisted_at IS NULL
                """).first(decoding: Row.self)?.n
            #expect(seated == 3)
        }
    }

    @Test("a seat given up goes to the first on the waitlist, who is told; maybe and no take no seat")
    func waitlistPromotion() async throws {
        try await withGuild { app, mail in
            let host = try await User.make(name: "Hana Host", on: app)
            let event = try await makeEvent(host: host, capacity: 1, on: app)
            let ada = try await User.make(name: "Ada", on: app), bo = try await User.make(name: "Bo", on: app), cy = try await User.make(name: "Cy", on: app)
            #expect(try await Attendance.rsvp(event.id, ada.requireID(), .yes, baseURL: "http://x", on: app.db) == .going)
            #expect(try await Attendance.rsvp(event.id, bo.requireID(), .yes, baseURL: "http://x", on: app.db) == .waitlisted(position: 1))
            #expect(try await Attendance.rsvp(event.id, cy.requireID(), .yes, baseURL: "http://x", on: app.db) == .waitlisted(position: 2))
            let again = try await Attendance.rsvp(event.id, cy.requireID(), .yes, baseURL: "http://x", on: app.db)
            #expect(again == .waitlisted(position: 2), "\(again)")
            // act: Ada cannot come after all
            #expect(try await Attendance.rsvp(event.id, ada.requireID(), .no, baseURL: "http://x", on: app.db) == .no)
            // assert
            #expect(try await Attendance.state(of: bo.id, at: event.id, on: app.db) == .going)
            #expect(try await Attendance.state(of: cy.id, at: event.id, on: app.db) == .waitlisted(position: 1))
            #expect(try await Events.require(event.id, on: app.db).going == 1)
            struct Row: Decodable { var recipient: String; var subject: String }
            let queued = try await app.db.sql.raw("SELECT recipient, subject FROM outbox_messages").all(decoding: Row.self)
            #expect(queued.contains { $0.recipient == bo.email && $0.subject.contains("A seat is yours") })
            #expect(try await Attendance.rsvp(event.id, cy.requireID(), .maybe, baseURL: "http://x", on: app.db) == .maybe)
            #expect(try await Events.require(event.id, on: app.db).going == 1)
            _ = mail
        }
    }

    @Test("a cancelled or finished event takes no answers; cancelling tells those who said yes or maybe, with the reason")
    func cancelAndOver() async throws {
        try await withGuild { app, _ in
            let host = try await User.make(name: "Hana Host", on: app)
            let event = try await makeEvent(host: host, on: app)
            let ada = try await User.make(name: "Ada", on: app)
            _ = try await Attendance.rsvp(event.id, ada.requireID(), .maybe, baseURL: "http://x", on: app.db)
            let cancelled = try await Events.cancel(event, reason: "The speaker did not show up; we meet next week.", baseURL: "http://x", on: app.db)
            #expect(cancelled.isCancelled && cancelled.sequence == 1)
            await #expect(throws: EventsError.cancelled) { try await Attendance.rsvp(event.id, ada.requireID(), .yes, baseURL: "http://x", on: app.db) }
            struct Row: Decodable { var body: String }
            let bodies = try await app.db.sql.raw("SELECT body FROM outbox_messages WHERE recipient = \(bind: ada.email)").all(decoding: Row.self)
            #expect(bodies.contains { $0.body.contains("The speaker did not show up") })
            let past = try await makeEvent("Last week", host: host, hours: -30, on: app)
            await #expect(throws: EventsError.over) { try await Attendance.rsvp(past.id, ada.requireID(), .yes, baseURL: "http://x", on: app.db) }
        }
    }

    @Test("guessing the self check-in code stops at the limit, even when the next guess is right")
    func checkInGuesses() async throws {
        try await withGuild { app, _ in
            let host = try await User.make(name: "Hana Host", on: app)
            let event = try await makeEvent("Networking morning", host: host, hours: -0.5, on: app)
            let guesser = try await User.make(name: "Gus Guesser", on: app)
            for _ in 0..<Attendance.codeGuesses.limit {
                await #expect(throws: EventsError.wrongCode) {
                    try await Attendance.checkIn(event, guesser.requireID(), by: nil, code: "ZZZZZZ", on: app.db)
                }
            }
            await #expect(throws: CommonError.self) {
                try await Attendance.checkIn(event, guesser.requireID(), by: nil, code: event.checkin_code, on: app.db)
            }
            #expect(try await app.count("event_checkins") == 0)
        }
    }

    @Test("check-in with the venue's code; who was there shows to those who were, with one tap to keep someone as a contact")
    func checkInAndWhoWasThere() async throws {
        try await withGuild { app, _ in
            // setup: an event that started half an hour ago, two members going
            let host = try await User.make(name: "Hana Host", email: "hana@example.com", on: app)
            let event = try await makeEvent("Networking morning", host: host, hours: -0.5, on: app)
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["web design"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Books", niches: ["bookkeeping"], on: app)
            let browser = Browser(app)
            _ = try await browser.signIn(email: ada.email)
            // act: a wrong code, then the right one
            let wrong = try await browser.post("/events/\(event.id)/checkins", ["code": "ZZZZZZ"])
            #expect(wrong.status == .forbidden && wrong.body.string.contains("not the code shown at the event"))
            let right = try await browser.post("/events/\(event.id)/checkins", ["code": event.checkin_code.lowercased()])
            #expect(right.status == .seeOther)
            // the host checks Bo in from the door list
            let door = Browser(app)
            _ = try await door.signIn(email: "hana@example.com")
            #expect(try await door.get("/events/\(event.id)/checkin").body.string.contains(event.checkin_code))
            #expect(try await door.post("/events/\(event.id)/checkins", ["userID": bo.requireID().uuidString]).status == .seeOther)
            // assert: Ada sees Bo, with his niche, and keeps him as a contact met at the event
            let page = try await browser.get("/events/\(event.id)").body.string
            #expect(page.contains("Who was there") && page.contains("Bo Books") && page.contains("Bookkeeping"))
            let kept = try await browser.post("/events/\(event.id)/attendees/\(bo.requireID())/contact", [:])
            #expect(kept.status == .seeOther)
            struct Row: Decodable { var name: String; var met: String; var met_event_id: UUID?; var member_id: UUID? }
            let contact = try await app.db.sql.raw("SELECT name, met, met_event_id, member_id FROM contacts WHERE owner_id = \(bind: ada.requireID())")
                .first(decoding: Row.self)
            #expect(contact?.name == "Bo Books" && contact?.met.hasPrefix("Networking morning") == true)
            #expect(contact?.met_event_id == event.id && contact?.member_id == bo.id)
            // again: the same contact, not a second one
            _ = try await browser.post("/events/\(event.id)/attendees/\(bo.requireID())/contact", [:])
            #expect(try await app.count("contacts") == 1)
            // someone who was not there sees no list and cannot keep anyone
            let (cy, _) = try await Profile.make(name: "Cy Absent", niches: ["copywriting"], on: app)
            let absent = Browser(app)
            _ = try await absent.signIn(email: cy.email)
            #expect(!(try await absent.get("/events/\(event.id)").body.string.contains("Who was there")))
            #expect(try await absent.post("/events/\(event.id)/attendees/\(bo.requireID())/contact", [:]).status == .conflict)
        }
    }

    @Test("the form names what is wrong: a missing title, an unknown time zone, a rule outside the subset, a time the clocks skip")
    func formErrors() async throws {
        try await withGuild { app, _ in
            let host = try await User.make(name: "Hana Host", email: "hana@example.com", on: app)
            let browser = Browser(app)
            _ = try await browser.signIn(email: host.email)
            let good = ["title": "Breakfast", "start": "2027-01-06T08:00", "minutes": "90", "timeZone": "Europe/London", "place": "Café"]
            for (change, field, message) in [
                (["title": "  "], "title", "A title is 1 to 120 characters."),
                (["timeZone": "Mars/Olympus"], "timeZone", "is not a time zone"),
                (["recurrence": "FREQ=DAILY"], "recurrence", "FREQ must be WEEKLY or MONTHLY"),
                (["start": "2027-03-28T01:30"], "start", "Give the start as a date and time"),
                (["capacity": "0"], "capacity", "Capacity is from 1"),
                (["onlineURL": "javascript:alert(1)"], "onlineUrl", "full http:// or https:// address"),
            ] {
                let response = try await browser.post("/events", good.merging(change) { $1 })
                #expect(response.status == .unprocessableEntity, "\(field)")
                #expect(response.body.string.contains(message), "\(field)")
                #expect(response.body.string.contains("id=\"\(field)-error\""), "\(field)")
            }
            #expect(try await app.count("events") == 0)
            let saved = try await browser.post("/events", good.merging(["recurrence": "FREQ=WEEKLY;COUNT=4"]) { $1 })
            #expect(saved.status == .seeOther)
            #expect(try await app.count("events") == 4)
        }
    }

    @Test("the day-before reminder goes once to each seated member, even with two servers running the job at once")
    func remindersOnce() async throws {
        try await withGuild { app, _ in
            let host = try await User.make(name: "Hana Host", on: app)
            let event = try await makeEvent(host: host, hours: 20, capacity: 1, on: app)
            let ada = try await User.make(name: "Ada", on: app), bo = try await User.make(name: "Bo", on: app)
            _ = try await Attendance.rsvp(event.id, ada.requireID(), .yes, baseURL: "http://x", on: app.db)
            _ = try await Attendance.rsvp(event.id, bo.requireID(), .yes, baseURL: "http://x", on: app.db)  // waitlisted: no reminder
            try await withSecondInstance(of: app) { second, _ in
                async let one = EventReminders.run(baseURL: "http://x", on: app.db)
                async let two = EventReminders.run(baseURL: "http://x", on: second.db)
                let (a, b) = try await (one, two)
                #expect(a.reminders + b.reminders == 1)
            }
            #expect(try await EventReminders.run(baseURL: "http://x", on: app.db).reminders == 0)
            struct Row: Decodable { var recipient: String }
            let sent = try await app.db.sql.raw("SELECT recipient FROM outbox_messages WHERE subject LIKE 'Tomorrow:%'").all(decoding: Row.self)
            #expect(sent.map(\.recipient) == [ada.email])
        }
    }

    @Test("moving one date of a weekly series keeps the rule: no ghost date is made again, and the feed says RECURRENCE-ID")
    func movedDates() async throws {
        try await withGuild { app, _ in
            let host = try await User.make(name: "Hana Host", on: app)
            let circle = try await Circles.create(CircleFields(name: "Moving Mornings", city: "London"), by: host.requireID(), on: app.db)
            let first = try await makeEvent("Breakfast", host: host, circle: circle, hours: 30, recurrence: "FREQ=WEEKLY;COUNT=6", on: app)
            struct Row: Decodable { var id: UUID }
            let dates = try await app.db.sql.raw("SELECT id FROM events WHERE series_id = \(bind: first.id) ORDER BY starts_at").all(decoding: Row.self)
            #expect(dates.count == 5)
            let second = try await Events.require(dates[0].id, on: app.db)
            let zone = TimeZone(identifier: "Europe/London")!
            let later = EventTimes.local(second.starts_at.addingTimeInterval(3_600), zone: zone)
            func fields(_ start: String) -> EventFields {
                EventFields(title: "Breakfast, an hour later", start: start, minutes: 90, timeZone: zone.identifier, place: "The Corner Café",
                            attendeesPublic: true)
            }
            _ = try await Events.update(second, fields(later), baseURL: "http://x", on: app.db)
            // Moving the first date too must not shift the rule for the others.
            _ = try await Events.update(first, fields(EventTimes.local(first.starts_at.addingTimeInterval(1_800), zone: zone)), baseURL: "http://x", on: app.db)
            _ = try await Events.extendAllSeries(on: app.db)
            _ = try await Events.extendAllSeries(on: app.db)
            #expect(try await app.count("events") == 6)
            let feed = try await EventCalendar.feed(for: try await Circles.require(id: circle.id, on: app.db), on: app.db, baseURL: "http://x")
            let stamp = { (date: Date) in ICalendar.localStamp(date, in: zone) }
            #expect(feed.contains("RECURRENCE-ID;TZID=Europe/London:\(stamp(second.starts_at))"))
            #expect(feed.contains("DTSTART;TZID=Europe/London:\(stamp(second.starts_at.addingTimeInterval(3_600)))"))
            // The series starts where its rule starts; the moved first date is an override of its own.
            #expect(feed.contains("DTSTART;TZID=Europe/London:\(stamp(first.starts_at))\r\n"))
            #expect(feed.contains("RECURRENCE-ID;TZID=Europe/London:\(stamp(first.starts_at))"))
            #expect(feed.components(separatedBy: "UID:\(EventCalendar.uid(first.id, baseURL: "http://x"))").count - 1 == 3)
        }
    }

    @Test("the upcoming list, written without Leaf, escapes titles, places and circle names, and offers the viewer's zone selected")
    func listEscapes() async throws {
        try await withGuild { app, _ in
            let host = try await User.make(name: "Hana Host", on: app)
            let circle = try await Circles.create(CircleFields(name: "<b>Bold</b> & Co", city: "London"), by: host.requireID(), on: app.db)
            _ = try await makeEvent("<script>alert(1)</script> breakfast", host: host, circle: circle, capacity: 10, on: app)
            let page = try await app.testing().sendRequest(.GET, "/events?tz=Asia/Tokyo").body.string
            #expect(!page.contains("<script>alert") && !page.contains("<b>Bold"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; breakfast") && page.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; Co"))
            #expect(page.contains("10 seats left") && page.contains("<option value=\"Asia/Tokyo\" selected>Asia/Tokyo</option>"))
        }
    }
}
