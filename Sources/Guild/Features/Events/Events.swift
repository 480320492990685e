import Fluent
import Formats
import Foundation
import SafeMarkdown
import SQLKit
import Validation
import Vapor

struct EventRecord: Decodable, Sendable {
    var id: UUID
    var circle_id: UUID?
    var host_id: UUID
    var series_id: UUID?
    var title: String
    var description: String
    var description_html: String
    var starts_at: Date
    var ends_at: Date
    var time_zone: String
    var place: String
    var online_url: String
    var capacity: Int?
    var going: Int
    var recurrence: String?
    var attendees_public: Bool
    var checkin_code: String
    var status: String
    var cancel_reason: String
    var sequence: Int
    var created_at: Date
    var updated_at: Date
    /// Which date of its series' rule this is, wherever it was moved (migration 033).
    var occurs_at: Date?

    var isCancelled: Bool { status == "cancelled" }
    /// The rule's date for this row: where the series anchors, and what RECURRENCE-ID names.
    var occurrence: Date { occurs_at ?? starts_at }
    var zone: TimeZone { TimeZone(identifier: time_zone) ?? TimeZone(identifier: "UTC")! }
    var seatsLeft: Int? { capacity.map { max(0, $0 - going) } }
    /// The first row of its series (or a single event): the row whose RRULE the feeds write.
    var seriesID: UUID { series_id ?? id }
}

struct AgendaRow: Decodable, Sendable {
    var id: UUID
    var position: Int
    var speaker: String
    var topic: String
    var speaker_cancelled: Bool
}

/// Events of a circle or of a member. A recurring event is its first row, which keeps the RRULE,
/// and a row for each later date, made ahead (`horizon`): RSVPs, agenda and check-in belong to a date.
enum Events {
    static let pageSize = 20
    /// How far ahead a series' dates exist as rows; `guild events remind` (and the job in `serve`) moves it on.
    static let horizon: TimeInterval = 120 * 86_400
    static let codeAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    static func checkInCode() -> String { String((0..<6).map { _ in codeAlphabet.randomElement()! }) }

    static let createsPerDay = Throttle(limit: 20, window: 86_400)

    /// Validates everything first, then writes the event (and its next dates) in one transaction.
    /// `limited: false` only for the demo's generated network.
    static func create(_ raw: EventFields, recurrence ruleText: String?, circle: CircleRecord?, host: UUID, limited: Bool = true,
                       on db: any Database) async throws -> EventRecord {
        let (fields, start, zone) = try EventRules.validate(raw).mapError { EventsError.invalid(field: $0.field, $0.message) }.get()
        var parsed: Recurrence?
        if let text = ruleText?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count <= 200 else { throw EventsError.invalid(field: "recurrence", "A repeat rule is at most 200 characters.") }
            do { parsed = try Recurrence(parsing: text) } catch { throw EventsError.invalid(field: "recurrence", "The repeat rule: \(error.description).") }
        }
        let rule = parsed
        // A weekly rule writes 120 days of dates: twenty new events (or series) a day per host.
        if limited { try await createsPerDay.consume("event-create:\(host)", on: db) }
        let id = UUID(), now = Date()
        let end = start.addingTimeInterval(TimeInterval(fields.minutes * 60))
        let html = SafeMarkdown().html(fields.description)
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("""
                INSERT INTO events (id, circle_id, host_id, series_id, title, description, description_html, starts_at, ends_at, time_zone,
                    place, online_url, capacity, going, recurrence, attendees_public, checkin_code, status, cancel_reason, sequence,
                    created_at, updated_at, occurs_at)
                VALUES (\(bind: id), \(bind: circle?.id), \(bind: host), NULL, \(bind: fields.title), \(bind: fields.description), \(bind: html),
                    \(bind: start), \(bind: end), \(bind: zone.identifier), \(bind: fields.place), \(bind: fields.onlineURL), \(bind: fields.capacity),
                    0, \(bind: rule?.rule), \(bind: fields.attendeesPublic), \(bind: checkInCode()), 'scheduled', '', 0, \(bind: now), \(bind: now),
                    \(bind: start))
                """).run()
            try await writeAgenda(fields.agenda, of: id, on: db)
        }
        let first = try await require(id, on: db)
        if rule != nil { try await extendSeries(first, through: now.addingTimeInterval(horizon), on: db) }
        return first
    }

    /// Makes the rows for a series' dates up to `horizon` (each with the first date's agenda); dates
    /// already made are left as they are, so running it twice, or on two servers, changes nothing.
    static func extendSeries(_ first: EventRecord, through horizon: Date, on db: any Database) async throws {
        guard let text = first.recurrence, let rule = try? Recurrence(parsing: text) else { return }
        // The rule runs from the first date as planned, even if that date was since moved.
        let anchor = first.occurrence
        let dates = rule.occurrences(start: anchor, in: first.zone, within: anchor...max(anchor, horizon), limit: 60)
        let duration = first.ends_at.timeIntervalSince(first.starts_at)
        let agenda = try await self.agenda(of: first.id, on: db)
        for date in dates where date > anchor {
            let id = UUID(), now = Date()
            try await db.writeTransaction(reportingGeneration: false) { db in
                struct Row: Decodable { var id: UUID }
                let made = try await db.sql.raw("""
                    INSERT INTO events (id, circle_id, host_id, series_id, title, description, description_html, starts_at, ends_at, time_zone,
                        place, online_url, capacity, going, recurrence, attendees_public, checkin_code, status, cancel_reason, sequence,
                        created_at, updated_at, occurs_at)
                    VALUES (\(bind: id), \(bind: first.circle_id), \(bind: first.host_id), \(bind: first.id), \(bind: first.title),
                        \(bind: first.description), \(bind: first.description_html), \(bind: date), \(bind: date.addingTimeInterval(duration)),
                        \(bind: first.time_zone), \(bind: first.place), \(bind: first.online_url), \(bind: first.capacity), 0, NULL,
                        \(bind: first.attendees_public), \(bind: checkInCode()), 'scheduled', '', 0, \(bind: now), \(bind: now), \(bind: date))
                    ON CONFLICT DO NOTHING RETURNING id
                    """).first(decoding: Row.self)
                if made != nil {
                    try await writeAgenda(agenda.map { .init(speaker: $0.speaker, topic: $0.topic) }, of: id, on: db)
                }
            }
        }
    }

    /// Every series moved on to the horizon; returns how many series were looked at.
    static func extendAllSeries(now: Date = Date(), on db: any Database) async throws -> Int {
        let firsts = try await db.sql.raw("""
            SELECT * FROM events WHERE recurrence IS NOT NULL
            """).all(decoding: EventRecord.self)
        for first in firsts { try await extendSeries(first, through: now.addingTimeInterval(horizon), on: db) }
        return firsts.count
    }

    static func writeAgenda(_ items: [EventFields.AgendaItem], of eventID: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM event_agenda_items WHERE event_id = \(bind: eventID)").run()
        for (position, item) in items.enumerated() {
            try await db.sql.raw("""
                INSERT INTO event_agenda_items (id, event_id, position, speaker, topic, speaker_cancelled)
                VALUES (\(bind: UUID()), \(bind: eventID), \(literal: position), \(bind: item.speaker), \(bind: item.topic), \(bind: item.speakerCancelled))
                """).run()
        }
    }

    static func agenda(of eventID: UUID, on db: any Database) async throws -> [AgendaRow] {
        try await db.sql.raw("SELECT id, position, speaker, topic, speaker_cancelled FROM event_agenda_items WHERE event_id = \(bind: eventID) ORDER BY position")
            .all(decoding: AgendaRow.self)
    }

    static func find(_ id: UUID, on db: any Database) async throws -> EventRecord? {
        try await db.sql.raw("SELECT * FROM events WHERE id = \(bind: id)").first(decoding: EventRecord.self)
    }

    static func require(_ id: UUID, on db: any Database) async throws -> EventRecord {
        guard let event = try await find(id, on: db) else { throw EventsError.eventNotFound }
        return event
    }

    /// The host, an organizer of the event's circle, or an admin.
    static func canManage(_ event: EventRecord, _ user: User?, on db: any Database) async throws -> Bool {
        guard let user, let userID = user.id else { return false }
        if user.role == .admin || event.host_id == userID { return true }
        guard let circleID = event.circle_id else { return false }
        return try await Circles.role(of: userID, in: circleID, on: db) == .organizer
    }

    static func requireManager(_ event: EventRecord, _ user: User, on db: any Database) async throws {
        guard try await canManage(event, user, on: db) else { throw EventsError.notOrganizer }
    }

    /// Changes one date of an event. Everyone who said yes or maybe is told when the time or the
    /// place moves; `sequence` goes up, so calendars replace what they had.
    static func update(_ event: EventRecord, _ raw: EventFields, baseURL: String, on db: any Database) async throws -> EventRecord {
        guard !event.isCancelled else { throw EventsError.cancelled }
        let (fields, start, zone) = try EventRules.validate(raw).mapError { EventsError.invalid(field: $0.field, $0.message) }.get()
        let end = start.addingTimeInterval(TimeInterval(fields.minutes * 60))
        let moved = start != event.starts_at || end != event.ends_at || fields.place != event.place || fields.onlineURL != event.online_url
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("event:\(event.id)")
            try await db.sql.raw("""
                UPDATE events SET title = \(bind: fields.title), description = \(bind: fields.description),
                    description_html = \(bind: SafeMarkdown().html(fields.description)), starts_at = \(bind: start), ends_at = \(bind: end),
                    time_zone = \(bind: zone.identifier), place = \(bind: fields.place), online_url = \(bind: fields.onlineURL),
                    capacity = \(bind: fields.capacity), attendees_public = \(bind: fields.attendeesPublic),
                    sequence = sequence + 1, updated_at = \(bind: Date())
                WHERE id = \(bind: event.id)
                """).run()
            try await writeAgenda(fields.agenda, of: event.id, on: db)
            // A larger room seats the waitlist.
            try await Attendance.promote(event.id, baseURL: baseURL, on: db)
            if moved {
                let when = EventTimes.describe(start, end: end, zone: zone)
                try await notifyAnswered(event.id, except: nil, .init(
                    title: "\(fields.title) has changed", link: "/events/\(event.id)",
                    emailBody: "\(fields.title) is now \(when), at \(fields.place.isEmpty ? fields.onlineURL : fields.place)."),
                    from: event.host_id, baseURL: baseURL, on: db)
            }
        }
        return try await require(event.id, on: db)
    }

    /// Calls one date off: its people (yes, maybe and the waitlist) are told, with the reason.
    static func cancel(_ event: EventRecord, reason raw: String, baseURL: String, on db: any Database) async throws -> EventRecord {
        guard !event.isCancelled else { return event }
        let reason = try EventRules.reason(raw).mapError { EventsError.invalid(field: $0.field, $0.message) }.get()
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("event:\(event.id)")
            try await db.sql.raw("""
                UPDATE events SET status = 'cancelled', cancel_reason = \(bind: reason), sequence = sequence + 1, updated_at = \(bind: Date())
                WHERE id = \(bind: event.id)
                """).run()
            let when = EventTimes.describe(event.starts_at, end: event.ends_at, zone: event.zone)
            try await notifyAnswered(event.id, except: nil, .init(
                title: "Cancelled: \(event.title)", link: "/events/\(event.id)",
                emailBody: "\(event.title) (\(when)) is cancelled. The reason given:\n\n\(reason)"), from: event.host_id, baseURL: baseURL, on: db)
        }
        return try await require(event.id, on: db)
    }

    /// Tells everyone who said yes (seated or waiting) or maybe.
    static func notifyAnswered(_ eventID: UUID, except: UUID?, _ message: Notifications.Message, from sender: UUID?, baseURL: String,
                               on db: any Database) async throws {
        struct Row: Decodable { var user_id: UUID }
        let people = try await db.sql.raw("""
            SELECT user_id FROM event_rsvps WHERE event_id = \(bind: eventID) AND answer IN ('yes', 'maybe')
            """).all(decoding: Row.self)
        for person in people where person.user_id != except {
            try await Notifications.notify(person.user_id, .eventChanged, message, from: sender, baseURL: baseURL, on: db)
        }
    }

    struct ListRow: Decodable, Sendable {
        var id: UUID
        var title: String
        var starts_at: Date
        var ends_at: Date
        var time_zone: String
        var place: String
        var online_url: String
        var capacity: Int?
        var going: Int
        var status: String
        var series_id: UUID?
        var recurrence: String?
        var circle_slug: String?
        var circle_name: String?
    }

    /// Upcoming dates (not yet over), soonest first; of one circle, or whose title or place matches `query`.
    static func upcoming(circle: UUID? = nil, query: String = "", now: Date = Date(), page: Int = 1, pageSize: Int = pageSize,
                         on db: any Database) async throws -> [ListRow] {
        // Still on: ended after now. No event lasts more than 14 days, so the scan of the (starts_at, id, ends_at,
        // status) index starts 14 days back instead of at the first event ever (50,000 dates: 21 ms a page before).
        var conditions: [SQLQueryString] = [
            "e.status = 'scheduled'", "e.starts_at >= \(bind: now.addingTimeInterval(-Double(EventRules.maxMinutes) * 60))", "e.ends_at >= \(bind: now)",
        ]
        if let circle { conditions.append("e.circle_id = \(bind: circle)") }
        if !query.isEmpty {
            let pattern = LikePattern.containing(query.lowercased())
            conditions.append("(LOWER(e.title) LIKE \(bind: pattern) \(LikePattern.escape) OR LOWER(e.place) LIKE \(bind: pattern) \(LikePattern.escape))")
        }
        return try await db.sql.raw("""
            SELECT e.id, e.title, e.starts_at, e.ends_at, e.time_zone, e.place, e.online_url, e.capacity, e.going, e.status,
                   e.series_id, e.recurrence, \(CirclesSQL.slug(of: "e.circle_id")) AS circle_slug, \(CirclesSQL.name(of: "e.circle_id")) AS circle_name
            FROM events e
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY e.starts_at, e.id LIMIT \(literal: pageSize) OFFSET \(literal: (page - 1) * pageSize)
            """).all(decoding: ListRow.self)
    }

    /// The dates of a series that were called off: the feeds' EXDATEs.
    static func cancelledDates(ofSeries firstIDs: [UUID], on db: any Database) async throws -> [UUID: [Date]] {
        guard !firstIDs.isEmpty else { return [:] }
        struct Row: Decodable { var series_id: UUID; var starts_at: Date; var occurs_at: Date? }
        let rows = try await db.sql.raw("""
            SELECT series_id, starts_at, occurs_at FROM events WHERE series_id IN (\(binds: firstIDs)) AND status = 'cancelled'
            """).all(decoding: Row.self)
        // EXDATE names the rule's date, not where a moved date had gone.
        return Dictionary(grouping: rows, by: \.series_id).mapValues { $0.map { $0.occurs_at ?? $0.starts_at } }
    }

    /// The dates of these series that were edited on their own (moved, renamed, re-placed) and still
    /// happen: each goes in a feed as its own VEVENT with a RECURRENCE-ID.
    static func editedDates(ofSeries firstIDs: [UUID], on db: any Database) async throws -> [UUID: [EventRecord]] {
        guard !firstIDs.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT * FROM events WHERE (series_id IN (\(binds: firstIDs)) OR (id IN (\(binds: firstIDs)) AND recurrence IS NOT NULL))
            AND status = 'scheduled' AND sequence > 0 ORDER BY starts_at LIMIT 2000
            """).all(decoding: EventRecord.self)
        return Dictionary(grouping: rows, by: \.seriesID)
    }
}

extension Events {
    /// The dates a member has a seat at (a yes, not waitlisted), ending after `since`, first first; at most 1,000.
    static func seated(_ user: UUID, endingAfter since: Date, on db: any Database) async throws -> [EventRecord] {
        try await db.sql.raw("""
            SELECT e.* FROM events e JOIN event_rsvps r ON r.event_id = e.id
            WHERE r.user_id = \(bind: user) AND r.answer = 'yes' AND r.waitlisted_at IS NULL AND e.ends_at >= \(bind: since)
            ORDER BY e.starts_at LIMIT 1000
            """).all(decoding: EventRecord.self)
    }
}

extension Events {
    /// A table for the discipline board: one row per event (not cancelled) starting in the period that the
    /// member checked in to or had a seat at (`at`: its start; `flag` false).
    static func attendedSQL(by member: UUID, from start: Date, through end: Date) -> SQLQueryString {
        """
        (SELECT e.starts_at AS at, FALSE AS flag FROM events e
         WHERE e.starts_at >= \(bind: start) AND e.starts_at <= \(bind: end) AND e.status <> 'cancelled'
           AND (EXISTS (SELECT 1 FROM event_checkins c WHERE c.event_id = e.id AND c.user_id = \(bind: member))
                OR EXISTS (SELECT 1 FROM event_rsvps r WHERE r.event_id = e.id AND r.user_id = \(bind: member)
                           AND r.answer = 'yes' AND r.waitlisted_at IS NULL)))
        """
    }
}
