import Fluent
import Foundation
import SQLKit
import Vapor

/// Circles and event dates at scale for `guild demo --circles N --events M` (the events benchmark):
/// each circle has 50 of the generated members, an organizer, a zone and a city; its dates spread from
/// 60 days back to 120 ahead at breakfast, lunch or evening, every tenth circle's as a weekly series;
/// up to 8 of its members answer each date (seated yes, maybe, or no). Multi-row inserts of 500 in one
/// write transaction each, like the other demo writers.
enum DemoScaleEventWriter {
    struct Summary { var circles = 0; var events = 0; var answers = 0 }

    static let zones = ["America/Chicago", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"]
    static let cities = ["Austin, TX", "Brooklyn, NY", "Leeds", "Leipzig", "Osaka", "Newcastle NSW"]
    static let themes = ["Breakfast Club", "Makers", "Trades", "Founders", "Creatives", "Neighbours"]
    static let titles = ["Networking breakfast", "Lunch and learn", "Evening referrals", "Coffee morning", "Pitch practice"]

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func write(circles: Int, events: Int, among members: [DemoReferralWriter.Member], seed: UInt64, now: Date = Date(),
                      app: Application) async throws -> Summary {
        guard circles > 0, members.count >= 50 else { return Summary() }
        var random = Generator(state: seed &* 7_919)
        var summary = Summary()
        let perCircle = max(1, events / circles)
        let day: TimeInterval = 86_400
        var circleRows: [SQLQueryString] = [], memberRows: [SQLQueryString] = []
        var eventRows: [SQLQueryString] = [], answerRows: [SQLQueryString] = []

        func flush(force: Bool = false) async throws {
            guard force || circleRows.count + memberRows.count + eventRows.count + answerRows.count >= 2_000 else { return }
            let (c, m, e, a) = (circleRows, memberRows, eventRows, answerRows)
            circleRows = []; memberRows = []; eventRows = []; answerRows = []
            try await app.db.writeTransaction(reportingGeneration: false) { db in
                for chunk in stride(from: 0, to: c.count, by: 500).map({ c[$0..<min($0 + 500, c.count)] }) {
                    try await db.sql.raw("""
                        INSERT INTO circles (id, slug, name, description, description_html, city, online, member_count, created_by, created_at, updated_at)
                        VALUES \(chunk.joined(separator: ", "))
                        """).run()
                }
                for chunk in stride(from: 0, to: m.count, by: 500).map({ m[$0..<min($0 + 500, m.count)] }) {
                    try await db.sql.raw("INSERT INTO circle_members (circle_id, user_id, role, joined_at) VALUES \(chunk.joined(separator: ", "))").run()
                }
                for chunk in stride(from: 0, to: e.count, by: 500).map({ e[$0..<min($0 + 500, e.count)] }) {
                    try await db.sql.raw("""
                        INSERT INTO events (id, circle_id, host_id, series_id, title, description, description_html, starts_at, ends_at, time_zone,
                            place, online_url, capacity, going, recurrence, attendees_public, checkin_code, status, cancel_reason, sequence,
                            created_at, updated_at, occurs_at)
                        VALUES \(chunk.joined(separator: ", "))
                        """).run()
                }
                for chunk in stride(from: 0, to: a.count, by: 500).map({ a[$0..<min($0 + 500, a.count)] }) {
                    try await db.sql.raw("INSERT INTO event_rsvps (event_id, user_id, answer, waitlisted_at, answered_at) VALUES \(chunk.joined(separator: ", "))").run()
                }
            }
        }

        for index in 0..<circles {
            let circle = UUID()
            let place = index % zones.count
            let zone = TimeZone(identifier: zones[place])!
            var people: [UUID] = []
            for k in 0..<50 {
                let person = members[(index * 37 + k * 101) % members.count].userID
                if !people.contains(person) { people.append(person) }
            }
            let organizer = people[0]
            let name = "\(cities[place]) \(themes[(index / zones.count) % themes.count]) \(index + 1)"
            let description = "Open to anyone who runs a business: introductions, one short talk, and referrals before the coffee runs out."
            circleRows.append("""
                (\(bind: circle), \(bind: "demo-circle-\(index + 1)"), \(bind: name), \(bind: description), \(bind: "<p>\(description)</p>"),
                 \(bind: cities[place]), \(bind: false), \(bind: people.count), \(bind: organizer), \(bind: now), \(bind: now))
                """)
            for (position, person) in people.enumerated() {
                memberRows.append("(\(bind: circle), \(bind: person), \(bind: position == 0 ? "organizer" : "member"), \(bind: now))")
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let weekly = index % 10 == 0
            var first: UUID?
            for number in 0..<perCircle {
                let offset = weekly ? -56 + number * 7 : Int.random(in: -60...120, using: &random)
                let hour = weekly ? 7 : [7, 12, 18][Int.random(in: 0...2, using: &random)]
                let dayStart = calendar.startOfDay(for: now.addingTimeInterval(Double(offset) * day))
                // On the wall clock of the circle's zone, so a weekly breakfast stays at 07:30 across a change of time.
                let start = calendar.date(bySettingHour: hour, minute: 30, second: 0, of: dayStart) ?? dayStart
                let id = UUID()
                let title = titles[(index + (weekly ? 0 : number)) % titles.count]
                let answers = min(Int.random(in: 0...8, using: &random), people.count - 1)
                let yes = (0..<answers).filter { $0 % 4 != 3 }.count
                eventRows.append("""
                    (\(bind: id), \(bind: circle), \(bind: organizer), \(bind: weekly && number > 0 ? first : nil), \(bind: title),
                     \(bind: "At the usual place."), \(bind: "<p>At the usual place.</p>"), \(bind: start), \(bind: start.addingTimeInterval(5_400)),
                     \(bind: zone.identifier), \(bind: "\(cities[place]), the library's community room"), \(bind: ""), \(bind: 30), \(bind: yes),
                     \(bind: weekly && number == 0 ? "FREQ=WEEKLY" : nil), \(bind: true), \(bind: String(format: "%06d", index * 31 + number)),
                     'scheduled', '', 0, \(bind: now), \(bind: now), \(bind: start))
                    """)
                if weekly && number == 0 { first = id }
                for answer in 0..<answers {
                    answerRows.append("(\(bind: id), \(bind: people[1 + answer]), \(bind: answer % 4 == 3 ? "maybe" : "yes"), NULL, \(bind: now))")
                }
                summary.events += 1
                summary.answers += answers
            }
            summary.circles += 1
            try await flush()
        }
        try await flush(force: true)
        return summary
    }
}
