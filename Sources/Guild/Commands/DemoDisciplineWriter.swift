import Fluent
import Foundation
import Habits
import SQLKit
import Taxonomy
import Vapor

/// Disciplines for the demo: each named member has a year of history (writing an hour a day,
/// marketing and sales, a weekly practice), with the misses, a vacation and Dev's cover this week
/// showing what forgiving streaks look like; Marisol and Rae are each other's partners and have
/// cheered; Marisol reads, and turned one thing she implemented into a case-study draft waiting.
enum DemoDisciplineWriter {
    struct Plan { var name: String; var kind: Kind; var target: Int; var tag: String; var rate: Double; var minutes: ClosedRange<Int>; var niche: String? = nil }

    @discardableResult
    static func write(app: Application, now: Date = Date(), seed: UInt64 = 20) async throws -> Int {
        let db = app.db
        func id(_ email: String) async throws -> UUID { try await DemoData.account(email, app).requireID() }
        let zones = ["marisol@guild.test": "America/Chicago", "dev@guild.test": "America/New_York", "rae@guild.test": "Europe/London",
                     "organizer@guild.test": "America/Chicago", "admin@guild.test": "UTC"]
        let plans: [String: [Plan]] = [
            "marisol@guild.test": [
                Plan(name: "Writing", kind: .minutesPerDay, target: 60, tag: "content", rate: 0.82, minutes: 25...95, niche: "Restaurant marketing"),
                Plan(name: "Marketing and sales", kind: .minutesPerDay, target: 60, tag: "marketing", rate: 0.7, minutes: 20...80),
                Plan(name: "Follow up with last week's cards", kind: .timesPerWeek, target: 3, tag: "sales", rate: 0.5, minutes: 1...1),
            ],
            "dev@guild.test": [
                Plan(name: "Case study a week", kind: .timesPerWeek, target: 1, tag: "content", rate: 0.2, minutes: 1...1),
                Plan(name: "Prospecting calls", kind: .minutesPerDay, target: 30, tag: "sales", rate: 0.6, minutes: 10...45, niche: "CRM implementation"),
            ],
            "rae@guild.test": [
                Plan(name: "Read marketing books", kind: .minutesPerDay, target: 30, tag: "learning", rate: 0.75, minutes: 10...60),
                Plan(name: "Post on the knowledge board", kind: .done, target: 1, tag: "content", rate: 0.55, minutes: 1...1),
            ],
            "organizer@guild.test": [Plan(name: "Welcome a new member", kind: .timesPerWeek, target: 2, tag: "", rate: 0.4, minutes: 1...1)],
            "admin@guild.test": [Plan(name: "Review the outbox", kind: .done, target: 1, tag: "", rate: 0.8, minutes: 1...1)],
        ]
        var random = SplitMix64(seed: seed)
        func chance(_ p: Double) -> Bool { Double(random.next() % 10_000) / 10_000 < p }
        var days = 0
        for (email, list) in plans.sorted(by: { $0.key < $1.key }) {
            let member = try await id(email)
            let zone = TimeZone(identifier: zones[email] ?? "UTC")!
            try await Disciplines.setZone(member, zone, on: db)
            let today = Day(now, in: zone)
            let start = today.advanced(by: -364)
            // A week's vacation in the summer: paused, so it breaks nothing.
            let vacation = today.advanced(by: -150)
            _ = try await DisciplinePauses.create(member, from: vacation.iso, through: vacation.advanced(by: 6).iso, reason: "vacation",
                                                  note: "Lake house, no laptop", today: today, on: db)
            // Effort grows over the year: the rate climbs from 60 % of the plan's to all of it.
            var logged: [[(Day, Int)]] = []
            for plan in list {
                var values: [(Day, Int)] = []
                for day in start...today where day < vacation || day > vacation.advanced(by: 6) {
                    let progress = Double(start.distance(to: day)) / 364
                    guard chance(plan.rate * (0.6 + 0.4 * progress)) else { continue }
                    values.append((day, plan.kind == .minutesPerDay ? plan.minutes.lowerBound + Int(random.next() % UInt64(plan.minutes.count)) : 1))
                }
                logged.append(values)
                days += values.count
            }
            let batches = logged
            var niches: [UUID?] = []
            for plan in list {
                if let niche = plan.niche { niches.append(try await NicheResolver.find(niche, on: db)?.id) } else { niches.append(nil) }
            }
            let nicheIDs = niches
            try await db.writeTransaction(reportingGeneration: false) { db in
                for ((plan, values), nicheID) in zip(zip(list, batches), nicheIDs) {
                    let valid = (name: plan.name, kind: plan.kind, target: plan.target, nicheID: nicheID, tag: plan.tag)
                    let discipline = try await Disciplines.insert(valid, member: member, today: start, now: now, on: db)
                    try await Disciplines.insertDays(values.map { (discipline, $0.0, $0.1, "") }, now: now, on: db)
                }
            }
        }
        let marisol = try await id("marisol@guild.test"), rae = try await id("rae@guild.test")
        func slug(_ user: UUID) async throws -> String { try await Profile.find(userID: user, on: db)?.slug ?? "" }
        let base = app.guildConfig.baseURL
        let asked = try await DisciplinePartners.ask(marisol, partnerSlug: try await slug(rae), message: "Keep me honest on the writing hour?", baseURL: base, on: db)
        try await DisciplinePartners.answer(asked, accept: true, by: rae, baseURL: base, on: db)
        let back = try await DisciplinePartners.ask(rae, partnerSlug: try await slug(marisol), message: "", baseURL: base, on: db)
        try await DisciplinePartners.answer(back, accept: true, by: marisol, baseURL: base, on: db)
        try await DisciplinePartners.cheer(marisol, from: rae, baseURL: base, on: db)
        let books = [("Building a StoryBrand", "Donald Miller", "read"), ("$100M Offers", "Alex Hormozi", "reading"),
                     ("The Referral Engine", "John Jantsch", "to_read"), ("Never Split the Difference", "Chris Voss", "read")]
        var first: UUID?
        for (title, author, status) in books {
            let book = try await Reading.saveBook(nil, member: marisol, title: title, author: author, status: status,
                                                  notes: status == "read" ? "One idea tried; see what I implemented." : "", on: db)
            first = first ?? book
        }
        let today = Day(now, in: TimeZone(identifier: "America/Chicago")!)
        _ = try await Reading.addImplementation(
            member: marisol, title: "A one-line promise on every quote",
            what: "Rewrote the first line of every quote as the client's problem and the outcome, not the package.",
            result: "Four of the next seven quotes were accepted, up from about one in four.", book: first, today: today, on: db)
        return days
    }
}
