import Fluent
import Foundation
import Habits
import SQLKit

/// The weekly summary a member can ask for: last week's disciplines against their goals, streaks and
/// strength, beside the week's results and cheers. It goes out on Mondays from 07:00 UTC. Every
/// server may try; `discipline_summary_sends` has one row per member and week, inserted in the
/// transaction that queues the email, so each member gets each week's summary once. A member with no
/// disciplines gets nothing; neither does one whose cover plan is on.
enum DisciplineSummary {
    static let sendHour = 7

    @discardableResult
    static func send(now: Date = Date(), baseURL: String, on db: any Database) async throws -> Int {
        let utcToday = Day(now, in: TimeZone(identifier: "UTC")!)
        guard utcToday.weekday == 1, now >= utcToday.start(in: TimeZone(identifier: "UTC")!).addingTimeInterval(TimeInterval(sendHour * 3600))
        else { return 0 }
        let week = utcToday.advanced(by: -7).iso
        struct Subscriber: Decodable { var user_id: UUID; var email: String; var name: String }
        let subscribers = try await db.sql.raw("""
            SELECT s.user_id, \(AccountsSQL.email(of: "s.user_id")) AS email, \(AccountsSQL.name(of: "s.user_id")) AS name
            FROM \(Notifications.emailSubscribersSQL(.disciplineSummary)) s
            WHERE EXISTS (SELECT 1 FROM disciplines d WHERE d.member_id = s.user_id)
                AND NOT EXISTS (SELECT 1 FROM discipline_summary_sends x WHERE x.member_id = s.user_id AND x.week = \(bind: week))
                AND NOT \(CoverActivations.isActiveSQL(for: "s.user_id"))
            ORDER BY s.user_id
            """).all(decoding: Subscriber.self)
        var queued = 0
        for subscriber in subscribers {
            // Last week as the member lives it: the board as of last Sunday in their zone.
            let zone = try await Disciplines.zone(of: subscriber.user_id, on: db)
            let sunday = Day(now, in: zone).monday.advanced(by: -1)
            let board = try await DisciplineBoard.load(subscriber.user_id, now: sunday.start(in: zone).addingTimeInterval(12 * 3600),
                                                       charts: false, on: db)
            let cheers = try await DisciplinePartners.cheers(subscriber.user_id, since: sunday.advanced(by: -6), on: db)
            let body = text(board, cheers: cheers.count, name: subscriber.name, baseURL: baseURL)
            let sent = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
                struct Claimed: Decodable { var member_id: UUID }
                guard try await db.sql.raw("""
                    INSERT INTO discipline_summary_sends (member_id, week, created_at) VALUES (\(bind: subscriber.user_id), \(bind: week), \(bind: now))
                    ON CONFLICT (member_id, week) DO NOTHING RETURNING member_id
                    """).first(decoding: Claimed.self) != nil else { return false }
                let unsubscribe = baseURL + "/unsubscribe/" + (try await Notifications.unsubscribeToken(subscriber.user_id, .disciplineSummary, on: db))
                try await Outbox.enqueue(
                    to: subscriber.email, subject: "Your week: \(board.disciplines.filter { $0.weekGoal > 0 && $0.weekTotal >= $0.weekGoal }.count) of \(board.disciplines.count) disciplines on target",
                    body: body + "\n\n--\nYou get this email because you asked for the weekly disciplines summary in your Guild settings.\nStop these emails: \(unsubscribe)",
                    for: .notification(from: nil), unsubscribeURL: unsubscribe, on: db)
                return true
            }
            if sent { queued += 1 }
        }
        return queued
    }

    static func text(_ board: DisciplineBoard, cheers: Int, name: String, baseURL: String) -> String {
        let lines = board.disciplines.map { d in
            let unit = d.kind == Kind.minutesPerDay.rawValue ? "minutes" : "days"
            return "- \(d.name): \(d.weekTotal) of \(d.weekGoal) \(unit); streak \(d.currentStreak) \(d.streakUnit) (best \(d.bestStreak)); strength \(d.strength) %"
        }.joined(separator: "\n")
        let week = board.results.last ?? DisciplineResults.Week(label: "", monday: "")
        return """
            Hello \(name),

            Your disciplines, the week of \(week.label):

            \(lines)

            The results of the same week: \(week.emailsSent) follow-up emails sent, \(week.emailsAnswered) answered; \
            \(week.referralsGiven) referrals given, \(week.referralsReceived) received; \(week.posts) posts written; \
            \(week.events) events attended; \(week.implemented) things implemented.\(cheers > 0 ? "\nYour partner cheered you on \(cheers) time\(cheers == 1 ? "" : "s")." : "")

            Your disciplines: \(baseURL)/disciplines
            """
    }
}

extension DisciplineSummary {
    /// The weekly disciplines summary, looked at every ten minutes.
    static let job = Job("disciplines-summary", every: .seconds(600)) { app in
        let queued = try await send(baseURL: app.guildConfig.baseURL, on: app.db)
        return queued > 0 ? "\(queued) emails queued" : nil
    }
}
