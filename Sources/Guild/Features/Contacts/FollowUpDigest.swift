import Fluent
import Foundation
import SQLKit
import Vapor

/// The morning email a member can ask for: follow-ups due today and overdue. It goes out from 07:00
/// UTC. Every server may try; `followup_digest_sends` has one row per member and day, inserted in the
/// transaction that queues the email, so each member gets each day's digest once. A day with nothing
/// due sends nothing, and so does a day the member is out under their cover plan.
enum FollowUpDigest {
    static let sendHour = 7
    static let shown = 20

    @discardableResult
    static func send(now: Date = Date(), baseURL: String, on db: any Database) async throws -> Int {
        let today = FollowUps.day(now)
        let midnight = Calendar(identifier: .iso8601).startOfDay(for: now, in: TimeZone(identifier: "UTC")!)
        guard now >= midnight.addingTimeInterval(TimeInterval(sendHour * 3600)) else { return 0 }
        struct Subscriber: Decodable { var user_id: UUID; var email: String; var name: String }
        let subscribers = try await db.sql.raw("""
            SELECT s.user_id, \(AccountsSQL.email(of: "s.user_id")) AS email, \(AccountsSQL.name(of: "s.user_id")) AS name
            FROM \(Notifications.emailSubscribersSQL(.followUpDigest)) s
            WHERE NOT EXISTS (SELECT 1 FROM followup_digest_sends d WHERE d.user_id = s.user_id AND d.day = \(bind: today))
                -- A member under cover is out: their reminders pause until they are back.
                AND NOT \(CoverActivations.isActiveSQL(for: "s.user_id"))
            ORDER BY s.user_id
            """).all(decoding: Subscriber.self)
        var queued = 0
        for subscriber in subscribers {
            let list = try await FollowUps.today(of: subscriber.user_id, today: today, on: db)
            let items = list.overdue + list.due
            let sent = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
                struct Claimed: Decodable { var user_id: UUID }
                guard try await db.sql.raw("""
                    INSERT INTO followup_digest_sends (user_id, day, items, created_at)
                    VALUES (\(bind: subscriber.user_id), \(bind: today), \(bind: items.count), \(bind: now))
                    ON CONFLICT (user_id, day) DO NOTHING RETURNING user_id
                    """).first(decoding: Claimed.self) != nil, !items.isEmpty else { return false }
                let unsubscribe = baseURL + "/unsubscribe/" + (try await Notifications.unsubscribeToken(subscriber.user_id, .followUpDigest, on: db))
                let lines = items.prefix(shown).map { item in
                    "- \(item.contact_name): \(item.purpose)" + (item.day < today ? " (due \(item.day))" : "")
                }.joined(separator: "\n")
                let more = items.count > shown ? "\n…and \(items.count - shown) more." : ""
                try await Outbox.enqueue(
                    to: subscriber.email, subject: "Your follow-ups today: \(items.count)",
                    body: """
                        Hello \(subscriber.name),

                        Due today\(list.overdue.isEmpty ? "" : " and overdue"):

                        \(lines)\(more)

                        Your Today list: \(baseURL)/today

                        --
                        You get this email because you asked for the daily follow-up email in your Guild settings.
                        Stop these emails: \(unsubscribe)
                        """,
                    for: .notification(from: nil), unsubscribeURL: unsubscribe, on: db)
                return true
            }
            if sent { queued += 1 }
        }
        return queued
    }
}

extension Calendar {
    func startOfDay(for date: Date, in zone: TimeZone) -> Date {
        var calendar = self
        calendar.timeZone = zone
        return calendar.startOfDay(for: date)
    }
}

extension FollowUpDigest {
    /// The morning list of follow-ups due, looked at every ten minutes.
    static let job = Job("follow-up-digest", every: .seconds(600)) { app in
        let queued = try await send(baseURL: app.guildConfig.baseURL, on: app.db)
        return queued > 0 ? "\(queued) emails queued" : nil
    }
}
