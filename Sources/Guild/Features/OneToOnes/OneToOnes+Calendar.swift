import Fluent
import Formats
import Foundation
import SQLKit
import Vapor

/// What reaches the two members' calendars and inboxes: the invitation (REQUEST on confirm and move,
/// CANCEL on cancel) and the day-before reminder.
extension OneToOnes {
    static func uid(_ id: UUID, baseURL: String) -> String {
        "one-to-one-\(id.uuidString.lowercased())@" + (URL(string: baseURL)?.host ?? "guild")
    }

    /// The meeting as a calendar entry: the proposer organises, both attend; cancelled ones say so.
    static func calendarEvent(_ meeting: OneToOneRecord, people: [UUID: Person], baseURL: String) -> CalendarEvent? {
        guard let start = meeting.starts_at, let end = meeting.ends_at,
              let proposer = people[meeting.proposer_id], let invitee = people[meeting.invitee_id] else { return nil }
        var description = meeting.note
        description += (description.isEmpty ? "" : "\n\n") + "\(baseURL)/one-to-ones/\(meeting.id)"
        return CalendarEvent(
            uid: uid(meeting.id, baseURL: baseURL), sequence: meeting.sequence, stamp: meeting.updated_at, start: start, end: end,
            timeZone: meeting.zone, summary: "One-to-one: \(proposer.name) & \(invitee.name)", description: description,
            location: meeting.place, url: "\(baseURL)/one-to-ones/\(meeting.id)",
            status: meeting.state == .cancelled ? .cancelled : .confirmed,
            organizer: .init(name: proposer.name, email: proposer.email),
            attendees: [.init(name: proposer.name, email: proposer.email, participation: "ACCEPTED"),
                        .init(name: invitee.name, email: invitee.email, participation: "ACCEPTED")])
    }

    /// Both members get the meeting as it now stands, with the invitation attached.
    static func invite(_ id: UUID, method: ICalendar.Method, headline: String, by actor: UUID, baseURL: String, on db: any Database) async throws {
        guard let meeting = try await db.sql.raw("SELECT * FROM one_to_ones WHERE id = \(bind: id)").first(decoding: OneToOneRecord.self) else { return }
        let people = try await People.byID([meeting.proposer_id, meeting.invitee_id], on: db)
        guard let entry = calendarEvent(meeting, people: people, baseURL: baseURL), let start = meeting.starts_at, let end = meeting.ends_at else { return }
        let calendar = ICalendar.write([entry], method: method)
        let when = EventTimes.describe(start, end: end, zone: meeting.zone)
        for user in [meeting.proposer_id, meeting.invitee_id] {
            let other = people[meeting.other(than: user)]?.name ?? "a member"
            let body = method == .cancel
                ? "The one-to-one with \(other) on \(when) is cancelled. Your calendar can remove it with the attached update."
                : "One-to-one with \(other): \(when)" + (meeting.place.isEmpty ? "." : ", at \(meeting.place).")
                    + "\n\nThe invitation is attached: add it to your calendar."
            try await Notifications.notify(user, .oneToOne, .init(
                title: "One-to-one with \(other) \(headline)", link: "/one-to-ones/\(meeting.id)", emailBody: body, calendar: calendar),
                from: actor, baseURL: baseURL, on: db)
        }
    }

    /// The day-before reminders, claimed once in `event_notices` like the events' own.
    static func remind(now: Date, baseURL: String, on db: any Database) async throws -> Int {
        struct Due: Decodable { var id: UUID; var user_id: UUID }
        let due = try await db.sql.raw("""
            SELECT o.id, o.proposer_id AS user_id FROM one_to_ones o
            WHERE o.status = 'confirmed' AND o.starts_at > \(bind: now.addingTimeInterval(3_600)) AND o.starts_at <= \(bind: now.addingTimeInterval(26 * 3_600))
            AND \(EventReminders.unclaimed("one_to_one_reminder", subject: "o.id", user: "o.proposer_id"))
            UNION ALL
            SELECT o.id, o.invitee_id AS user_id FROM one_to_ones o
            WHERE o.status = 'confirmed' AND o.starts_at > \(bind: now.addingTimeInterval(3_600)) AND o.starts_at <= \(bind: now.addingTimeInterval(26 * 3_600))
            AND \(EventReminders.unclaimed("one_to_one_reminder", subject: "o.id", user: "o.invitee_id"))
            LIMIT 1000
            """).all(decoding: Due.self)
        var sent = 0
        for row in due {
            let claimed = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
                guard try await EventReminders.claim("one_to_one_reminder", subject: row.id, for: row.user_id, at: now, on: db),
                    let meeting = try await find(row.id, viewer: row.user_id, on: db), let start = meeting.starts_at, let end = meeting.ends_at
                else { return false }
                let other = try await People.byID([meeting.other(than: row.user_id)], on: db).values.first?.name ?? "a member"
                try await Notifications.notify(row.user_id, .oneToOne, .init(
                    title: "Tomorrow: one-to-one with \(other)", link: "/one-to-ones/\(meeting.id)",
                    emailBody: "\(EventTimes.describe(start, end: end, zone: meeting.zone))" + (meeting.place.isEmpty ? "." : ", at \(meeting.place).")
                        + "\n\nCannot make it? Move or cancel it on its page, so \(other) knows."),
                    from: nil, baseURL: baseURL, on: db)
                return true
            }
            if claimed { sent += 1 }
        }
        return sent
    }
}

extension OneToOnes {
    /// Day-before reminders of confirmed one-to-ones, every ten minutes.
    static let reminderJob = Job("one-to-one-reminders", every: .seconds(600)) { app in
        let queued = try await remind(now: Date(), baseURL: app.guildConfig.baseURL, on: app.db)
        return queued > 0 ? "\(queued) emails queued" : nil
    }
}
