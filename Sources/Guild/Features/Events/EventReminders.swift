import Fluent
import Foundation
import SQLKit
import Vapor

/// The day-before reminders for everyone with a seat, and series moved on to their horizon. Each
/// reminder is claimed in `event_notices` in the same transaction that queues its email, so two
/// servers (or `guild events remind` beside `serve`) never send one twice.
enum EventReminders {
    struct Report: Sendable { var reminders = 0; var series = 0 }

    static func run(now: Date = Date(), baseURL: String, on db: any Database) async throws -> Report {
        var report = Report()
        report.series = try await Events.extendAllSeries(now: now, on: db)
        struct Due: Decodable { var event_id: UUID; var user_id: UUID }
        let due = try await db.sql.raw("""
            SELECT r.event_id, r.user_id FROM event_rsvps r JOIN events e ON e.id = r.event_id
            LEFT JOIN event_notices n ON n.kind = 'reminder' AND n.subject_id = r.event_id AND n.user_id = r.user_id
            WHERE e.status = 'scheduled' AND e.starts_at > \(bind: now.addingTimeInterval(3_600)) AND e.starts_at <= \(bind: now.addingTimeInterval(26 * 3_600))
            AND r.answer = 'yes' AND r.waitlisted_at IS NULL AND n.user_id IS NULL
            LIMIT 1000
            """).all(decoding: Due.self)
        for row in due {
            let sent = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
                guard try await claim("reminder", subject: row.event_id, for: row.user_id, at: now, on: db) else { return false }
                let event = try await Events.require(row.event_id, on: db)
                let place = event.place.isEmpty ? "online (the link is on the event's page)" : event.place
                try await Notifications.notify(row.user_id, .eventReminder, .init(
                    title: "Tomorrow: \(event.title)", link: "/events/\(event.id)",
                    emailBody: "\(event.title) is \(EventTimes.describe(event.starts_at, end: event.ends_at, zone: event.zone)), at \(place).\n\nCannot come after all? Say no on the event's page, so someone on the waitlist gets your seat."),
                    from: nil, baseURL: baseURL, on: db)
                return true
            }
            if sent { report.reminders += 1 }
        }
        return report
    }

    /// Claims one notice for one member in the caller's transaction: true once, false ever after, on any server.
    static func claim(_ kind: String, subject: UUID, for user: UUID, at now: Date, on db: any Database) async throws -> Bool {
        struct Claimed: Decodable { var user_id: UUID }
        return try await db.sql.raw("""
            INSERT INTO event_notices (kind, subject_id, user_id, sent_at) VALUES (\(bind: kind), \(bind: subject), \(bind: user), \(bind: now))
            ON CONFLICT DO NOTHING RETURNING user_id
            """).first(decoding: Claimed.self) != nil
    }

    /// A condition for another query: no notice of this kind was claimed yet for the subject and member
    /// in these columns (`o.id`, `o.invitee_id`).
    static func unclaimed(_ kind: String, subject: String, user: String) -> SQLQueryString {
        """
        NOT EXISTS (SELECT 1 FROM event_notices n WHERE n.kind = \(bind: kind) AND n.subject_id = \(unsafeRaw: SQLColumnReference.checked(subject))
            AND n.user_id = \(unsafeRaw: SQLColumnReference.checked(user)))
        """
    }

    /// Forgets every claim of this kind for this subject, so its notices go again (a meeting moved to a new time).
    static func forget(_ kind: String, subject: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM event_notices WHERE kind = \(bind: kind) AND subject_id = \(bind: subject)").run()
    }
}

extension EventReminders {
    /// Day-before reminders and the next dates of recurring events, every ten minutes.
    static let job = Job("event-reminders", every: .seconds(600)) { app in
        let report = try await run(baseURL: app.guildConfig.baseURL, on: app.db)
        return report.reminders + report.series > 0 ? "\(report.reminders) emails queued, \(report.series) series extended" : nil
    }
}
