import Fluent
import Foundation
import Habits
import SQLKit

/// A discipline's figures: streaks, strength, this week, today, and its charts.
struct DisciplineStats: Encodable, Sendable {
    var id: UUID
    var name: String
    var kind: String
    var kindLabel: String
    var target: Int
    var goalText: String
    var niche: String?
    var tag: String
    var currentStreak: Int
    var bestStreak: Int
    var streakUnit: String
    /// "1 day", "3 weeks": the current streak in words.
    var streakText: String
    var bestText: String
    /// 0–100, rounded.
    var strength: Int
    var strengthExact: Double
    var weekTotal: Int
    var weekGoal: Int
    var today: Int
    var todayMet: Bool
    var pausedToday: Bool
    var heatMap: String
    var weeklyBars: String
    var weeks: [WeekRow]

    struct WeekRow: Encodable, Sendable { var monday: String; var label: String; var total: Int; var goal: Int; var paused: Int }

    static func count(_ n: Int, _ unit: Streaks.Unit) -> String {
        "\(n) \(unit == .days ? (n == 1 ? "day" : "days") : (n == 1 ? "week" : "weeks"))"
    }

    static func make(_ row: DisciplineRow, history: History, today: Day, charts: Bool) -> DisciplineStats {
        let kind = row.habitKind
        let streaks = Streaks.of(history, today: today)
        let strength = Strength.current(history, today: today)
        let weeks = WeekTotal.weeks(history, count: DisciplineBoard.weekCount, today: today)
        let goalText = switch kind {
        case .minutesPerDay: "\(row.target) minutes a day"
        case .timesPerWeek: "\(row.target) day\(row.target == 1 ? "" : "s") a week"
        case .done: "every day"
        }
        let paused = history.pausedDays(from: today, through: today)
        return DisciplineStats(
            id: row.id, name: row.name, kind: kind.rawValue, kindLabel: kind.label, target: row.target, goalText: goalText,
            niche: row.niche_name, tag: row.tag, currentStreak: streaks.current, bestStreak: streaks.best, streakUnit: streaks.unit.rawValue,
            streakText: Self.count(streaks.current, streaks.unit), bestText: Self.count(streaks.best, streaks.unit),
            strength: Int((strength * 100).rounded()), strengthExact: strength,
            weekTotal: weeks.last?.total ?? 0, weekGoal: weeks.last?.goal ?? 0,
            today: history.values[today] ?? 0, todayMet: history.met(today), pausedToday: !paused.isEmpty,
            heatMap: charts ? Charts.heatMap(history, name: row.name, today: today, id: "hm-\(row.id)") : "",
            weeklyBars: charts ? Charts.weeklyBars(weeks, kind: kind, name: row.name, id: "wb-\(row.id)") : "",
            weeks: weeks.map { WeekRow(monday: $0.monday.iso, label: Charts.label($0.monday), total: $0.total, goal: $0.goal, paused: $0.paused) })
    }
}

/// Everything the disciplines page shows for one member: each discipline's figures and, for the same
/// weeks, the results the work is meant to move.
struct DisciplineBoard: Sendable {
    static let weekCount = 12

    var zone: TimeZone
    /// Whether the member set their zone (otherwise UTC).
    var zoneSet: Bool
    var today: Day
    var disciplines: [DisciplineStats]
    /// Each discipline's logged days, as read for the figures (the stats API lists the last year's).
    var values: [UUID: [Day: Int]]
    var results: [DisciplineResults.Week]

    /// `charts`: draw the SVGs; `results`: read the same weeks' results (the API's list needs neither).
    static func load(_ member: UUID, now: Date = Date(), charts: Bool = true, results withResults: Bool = true,
                     on db: any Database) async throws -> DisciplineBoard {
        let stored = try await Disciplines.storedZone(of: member, on: db)
        let zone = stored ?? TimeZone(identifier: "UTC")!
        let today = Day(now, in: zone)
        // Four independent reads at once: on PostgreSQL each has its own connection, so the page waits for
        // the slowest round trip instead of the sum of them.
        async let rowsRead = Disciplines.list(of: member, on: db)
        async let valuesRead = Disciplines.values(of: member, on: db)
        async let pausesRead = DisciplinePauses.all(of: member, zone: zone, today: today, on: db)
        async let resultsRead = DisciplineResults.weeks(member, zone: zone, today: today, count: withResults ? weekCount : 0, on: db)
        let (rows, values, pauses, results) = try await (rowsRead, valuesRead, pausesRead, resultsRead)
        let stats = rows.map { row in
            DisciplineStats.make(row, history: Disciplines.history(row, values: values[row.id] ?? [:], pauses: pauses), today: today, charts: charts)
        }
        return DisciplineBoard(zone: zone, zoneSet: stored != nil, today: today, disciplines: stats, values: values, results: results)
    }
}

/// The results of the same weeks, from the features that exist: emails to contacts sent and answered,
/// referrals given and received, posts written, events attended (checked in, or said yes to one
/// that has happened) and things noted as implemented. Weeks run Monday to Sunday in the member's zone.
enum DisciplineResults {
    struct Week: Encodable, Sendable {
        var label: String
        var monday: String
        var emailsSent = 0
        var emailsAnswered = 0
        var referralsGiven = 0
        var referralsReceived = 0
        var posts = 0
        var events = 0
        var implemented = 0
    }

    static func weeks(_ member: UUID, zone: TimeZone, today: Day, count: Int, on db: any Database) async throws -> [Week] {
        guard count > 0 else { return [] }
        let first = today.monday.advanced(by: -7 * (count - 1))
        let start = first.start(in: zone)
        var weeks = (0..<count).map { i -> Week in
            let monday = first.advanced(by: 7 * i)
            return Week(label: Charts.label(monday), monday: monday.iso)
        }
        func index(_ date: Date) -> Int? {
            let i = first.distance(to: Day(date, in: zone))
            return i >= 0 && i / 7 < count ? i / 7 : nil
        }
        // One round trip for all five: on a two-core server each query's hop costs more than its work.
        struct Row: Decodable { var kind: String; var at: Date; var flag: Bool }
        for row in try await db.sql.raw("""
            SELECT 'email' AS kind, a.at, a.flag FROM \(Contacts.emailsSentSQL(by: member, since: start)) a
            UNION ALL SELECT 'referral', a.at, a.flag FROM \(Referrals.referralsSQL(of: member, since: start)) a
            UNION ALL SELECT 'post', a.at, a.flag FROM \(Posts.postsSQL(by: member, since: start)) a
            UNION ALL SELECT 'event', a.at, a.flag FROM \(Events.attendedSQL(by: member, from: start, through: Date())) a
            UNION ALL SELECT 'implemented', created_at, FALSE FROM implementations WHERE member_id = \(bind: member) AND created_at >= \(bind: start)
            """).all(decoding: Row.self) {
            guard let i = index(row.at) else { continue }
            switch row.kind {
            case "email":
                weeks[i].emailsSent += 1
                if row.flag { weeks[i].emailsAnswered += 1 }
            case "referral":
                if row.flag { weeks[i].referralsGiven += 1 } else { weeks[i].referralsReceived += 1 }
            case "post": weeks[i].posts += 1
            case "event": weeks[i].events += 1
            default: weeks[i].implemented += 1
            }
        }
        return weeks
    }
}
