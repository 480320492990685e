import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

/// Demo circles and events: the Wednesday networking morning (weekly, with a speaker who cancelled
/// last week, check-ins and "who was there"), a monthly online circle, and a small evening that is
/// full with a waitlist; the named accounts and a few dozen generated members in them; and two
/// one-to-ones for Marisol, one confirmed and one waiting for her to pick a time.
enum DemoEventWriter {
    struct Summary { var circles = 0; var events = 0 }

    @discardableResult
    static func write(among generated: [DemoReferralWriter.Member], now: Date = Date(), app: Application) async throws -> Summary {
        func user(_ email: String) async throws -> UUID? { try await User.query(on: app.db).filter(\.$email == email).first()?.id }
        guard let organizer = try await user("organizer@guild.test"), let admin = try await user("admin@guild.test"),
              let marisol = try await user("marisol@guild.test"), let dev = try await user("dev@guild.test"),
              let rae = try await user("rae@guild.test") else { return Summary() }
        var summary = Summary()
        let db = app.db
        let chicago = TimeZone(identifier: "America/Chicago")!

        // The Wednesday morning: Olu organizes, everyone named and forty others belong.
        let morning = try await Circles.create(CircleFields(
            name: "Austin Wednesday Mornings",
            description: "Coffee at 7:30, introductions at 7:45, one short talk, and **referrals before 9**. Open to anyone who runs a business; there is no seat per trade, so bring the competitor you like.",
            city: "Austin, TX"), by: organizer, limited: false, on: db)
        let crowd = generated.prefix(40).map(\.userID)
        for member in [admin, marisol, dev, rae] + crowd { try await Circles.join(morning, member, on: db) }
        let nextWednesday = next(weekday: 4, hour: 7, minute: 30, after: now, in: chicago)
        let series = try await Events.create(EventFields(
            title: "Wednesday networking morning", description: "At the public library's community room. Parking behind the building; the side door opens at 7:15.",
            start: EventTimes.local(nextWednesday, zone: chicago), minutes: 90, timeZone: chicago.identifier,
            place: "Austin Public Library, community room", capacity: 30,
            agenda: [.init(speaker: "Rae Lindqvist", topic: "Listing photos that sell the house"), .init(speaker: "Open floor", topic: "Referrals given this week")]),
            recurrence: "FREQ=WEEKLY;BYDAY=WE", circle: morning, host: organizer, limited: false, on: db)
        for (index, member) in ([marisol, rae, admin] + crowd.prefix(14)).enumerated() {
            _ = try await Attendance.rsvp(series.id, member, index % 6 == 5 ? .maybe : .yes, baseURL: app.guildConfig.baseURL, on: db)
        }

        // Last Wednesday's morning: the speaker cancelled, twelve checked in, Marisol stayed last.
        let lastWednesday = nextWednesday.addingTimeInterval(-7 * 86_400)
        let past = try await Events.create(EventFields(
            title: "Wednesday networking morning (last week)", description: "The speaker didn't show up; Olu ran a round of two-minute introductions instead.",
            start: EventTimes.local(lastWednesday, zone: chicago), minutes: 90, timeZone: chicago.identifier,
            place: "Austin Public Library, community room", capacity: 30,
            agenda: [.init(speaker: "Sam Speaker", topic: "Pricing your services", speakerCancelled: true)]),
            recurrence: nil, circle: morning, host: organizer, limited: false, on: db)
        let there = [marisol, rae, admin, dev] + crowd.prefix(8)
        for (index, member) in there.enumerated() {
            let at = lastWednesday.addingTimeInterval(Double(index) * 60)
            try await db.sql.raw("""
                INSERT INTO event_rsvps (event_id, user_id, answer, answered_at) VALUES (\(bind: past.id), \(bind: member), 'yes', \(bind: at.addingTimeInterval(-86_400)))
                """).run()
            try await db.sql.raw("""
                INSERT INTO event_checkins (event_id, user_id, checked_in_by, checked_in_at) VALUES (\(bind: past.id), \(bind: member), \(bind: index % 3 == 0 ? organizer : nil), \(bind: at))
                """).run()
        }
        try await db.sql.raw("UPDATE events SET going = \(bind: there.count) WHERE id = \(bind: past.id)").run()

        // An evening for twelve that filled up: five on the waitlist.
        let evening = try await Events.create(EventFields(
            title: "Referral round table: trades and the people who keep their books",
            description: "Twelve seats around one table. Bring one client story you would pass on.",
            start: EventTimes.local(nextWednesday.addingTimeInterval(2 * 86_400 + 11 * 3_600), zone: chicago), minutes: 120,
            timeZone: chicago.identifier, place: "Okafor Events studio, 5th Street", capacity: 12, attendeesPublic: false),
            recurrence: nil, circle: morning, host: organizer, limited: false, on: db)
        for member in [admin] + crowd.dropFirst(14).prefix(16) {
            _ = try await Attendance.rsvp(evening.id, member, .yes, baseURL: app.guildConfig.baseURL, on: db)
        }

        // Dev's online circle, on the first Thursday of each month at noon Eastern.
        let growth = try await Circles.create(CircleFields(
            name: "CRM and Automation Circle", description: "An hour a month on the follow-ups nobody has time for: show one automation, steal one.",
            online: true), by: dev, limited: false, on: db)
        for member in [marisol, admin] + generated.dropFirst(40).prefix(20).map(\.userID) { try await Circles.join(growth, member, on: db) }
        let eastern = TimeZone(identifier: "America/New_York")!
        let firstThursday = next(weekday: 5, hour: 12, minute: 0, after: now.addingTimeInterval(7 * 86_400), in: eastern)
        let monthly = try await Events.create(EventFields(
            title: "Show one automation", start: EventTimes.local(firstThursday, zone: eastern), minutes: 60, timeZone: eastern.identifier,
            onlineURL: "https://meet.example.org/crm-circle"),
            recurrence: "FREQ=MONTHLY;BYDAY=1TH;COUNT=12", circle: growth, host: dev, limited: false, on: db)
        for member in [marisol] + generated.dropFirst(40).prefix(6).map(\.userID) {
            _ = try await Attendance.rsvp(monthly.id, member, .yes, baseURL: app.guildConfig.baseURL, on: db)
        }

        // Marisol's writers' room, and her card for someone she met last Wednesday.
        let room = try await Circles.create(CircleFields(
            name: "Writers' Room", description: "An hour of writing together, cameras on, mics off. Then ten minutes on what we shipped.", online: true),
            by: marisol, limited: false, on: db)
        for member in [rae] + generated.dropFirst(60).prefix(8).map(\.userID) { try await Circles.join(room, member, on: db) }
        _ = try await Attendance.contact(from: past, member: rae, for: marisol, on: db)

        // One-to-ones after last Wednesday: Rae asked Marisol (confirmed, in both calendars), and Dev asked Marisol
        // (waiting for her to pick one of three times).
        let base = app.guildConfig.baseURL
        let coffee = try await OneToOnes.propose(.init(
            invitee: marisol, event: past.id,
            starts: [next(weekday: 5, hour: 10, minute: 0, after: now.addingTimeInterval(3_600), in: chicago),
                     next(weekday: 6, hour: 15, minute: 30, after: now.addingTimeInterval(3_600), in: chicago)],
            minutes: 45, timeZone: chicago.identifier, place: "Cosmic Coffee, South Congress",
            note: "You mentioned listings that need better copy: I have three sellers who could use you."), by: rae, now: now, baseURL: base, on: db)
        try await OneToOnes.accept(coffee, slot: 1, by: marisol, baseURL: base, on: db)
        _ = try await OneToOnes.propose(.init(
            invitee: marisol, event: past.id,
            starts: [next(weekday: 2, hour: 9, minute: 0, after: now.addingTimeInterval(3_600), in: chicago),
                     next(weekday: 3, hour: 12, minute: 30, after: now.addingTimeInterval(3_600), in: chicago),
                     next(weekday: 4, hour: 16, minute: 0, after: now.addingTimeInterval(3_600), in: chicago)],
            minutes: 30, timeZone: chicago.identifier, place: "Video call (link to follow)", note: "Could we swap referrals between web design and copywriting?"),
            by: dev, now: now, baseURL: base, on: db)

        struct Count: Decodable { var n: Int }
        summary.circles = 3
        summary.events = try await db.sql.raw("SELECT COUNT(*) AS n FROM events").first(decoding: Count.self)?.n ?? 0
        return summary
    }

    /// The next `weekday` (Sunday 1 … Saturday 7) at the given wall-clock time after `date`.
    static func next(weekday: Int, hour: Int, minute: Int, after date: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.nextDate(after: date, matching: DateComponents(hour: hour, minute: minute, weekday: weekday), matchingPolicy: .nextTime)
            ?? date.addingTimeInterval(7 * 86_400)
    }
}
