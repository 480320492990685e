import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

enum RSVPAnswer: String, Sendable, CaseIterable, Codable {
    case yes, maybe, no
}

/// Where a member stands for one date after answering.
enum RSVPState: Equatable, Sendable {
    case going
    case waitlisted(position: Int)
    case maybe
    case no
    case none

    var label: String {
        switch self {
        case .going: "You are going"
        case .waitlisted(let position): "You are number \(position) on the waitlist"
        case .maybe: "You said maybe"
        case .no: "You said no"
        case .none: "You have not answered"
        }
    }

    var apiName: String {
        switch self {
        case .going: "going"
        case .waitlisted: "waitlisted"
        case .maybe: "maybe"
        case .no: "no"
        case .none: "none"
        }
    }
}

struct AttendeeRow: Decodable, Sendable {
    var user_id: UUID
    var name: String
    var slug: String?
    var business: String?
    var answer: String
    var waitlisted_at: Date?
    var checked_in_at: Date?
}

/// RSVPs, the waitlist, check-in and "who was there". Every change to one date's seats happens
/// under that date's lock (SQLite's write lock; a PostgreSQL advisory lock), with the seat count
/// read and written in the same transaction: fifty people answering yes for the last seat at once
/// give exactly one seat and forty-nine places on the waitlist.
enum Attendance {
    static func rsvp(_ eventID: UUID, _ userID: UUID, _ answer: RSVPAnswer, now: Date = Date(), baseURL: String, on db: any Database) async throws -> RSVPState {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("event:\(eventID)")
            let event = try await Events.require(eventID, on: db)
            guard !event.isCancelled else { throw EventsError.cancelled }
            guard event.ends_at > now else { throw EventsError.over }
            struct Current: Decodable { var answer: String; var waitlisted_at: Date? }
            let current = try await db.sql.raw("""
                SELECT answer, waitlisted_at FROM event_rsvps WHERE event_id = \(bind: eventID) AND user_id = \(bind: userID)
                """).first(decoding: Current.self)
            let wasSeated = current?.answer == "yes" && current?.waitlisted_at == nil
            let wasWaiting = current?.answer == "yes" && current?.waitlisted_at != nil
            var waitlistedAt: Date? = nil
            var going = event.going
            switch answer {
            case .yes where wasSeated: break
            case .yes where wasWaiting: waitlistedAt = current?.waitlisted_at
            case .yes:
                if let capacity = event.capacity, going >= capacity { waitlistedAt = now } else { going += 1 }
            case .maybe, .no:
                if wasSeated { going -= 1 }
            }
            try await db.sql.raw("""
                INSERT INTO event_rsvps (event_id, user_id, answer, waitlisted_at, answered_at)
                VALUES (\(bind: eventID), \(bind: userID), \(bind: answer.rawValue), \(bind: waitlistedAt), \(bind: now))
                ON CONFLICT (event_id, user_id) DO UPDATE SET answer = excluded.answer, waitlisted_at = excluded.waitlisted_at,
                    answered_at = excluded.answered_at
                """).run()
            try await db.sql.raw("UPDATE events SET going = \(bind: going) WHERE id = \(bind: eventID)").run()
            if wasSeated && answer != .yes { try await promote(eventID, baseURL: baseURL, on: db) }
            return try await state(of: userID, at: eventID, on: db)
        }
    }

    /// Seats the waitlist in the order people joined it, while there are seats; each is told.
    /// Runs inside the caller's transaction, under the event's lock.
    static func promote(_ eventID: UUID, baseURL: String, on db: any Database) async throws {
        let event = try await Events.require(eventID, on: db)
        var going = event.going
        struct Waiting: Decodable { var user_id: UUID }
        while event.capacity.map({ going < $0 }) ?? true {
            guard let next = try await db.sql.raw("""
                SELECT user_id FROM event_rsvps WHERE event_id = \(bind: eventID) AND answer = 'yes' AND waitlisted_at IS NOT NULL
                ORDER BY waitlisted_at, user_id LIMIT 1
                """).first(decoding: Waiting.self) else { break }
            try await db.sql.raw("""
                UPDATE event_rsvps SET waitlisted_at = NULL WHERE event_id = \(bind: eventID) AND user_id = \(bind: next.user_id)
                """).run()
            going += 1
            try await Notifications.notify(next.user_id, .seatFreed, .init(
                title: "A seat is yours: \(event.title)", link: "/events/\(event.id)",
                emailBody: "A seat freed up at \(event.title) (\(EventTimes.describe(event.starts_at, end: event.ends_at, zone: event.zone))), and it is yours. If you cannot come after all, say no on the event's page so the next person gets it."),
                from: nil, baseURL: baseURL, on: db)
        }
        if going != event.going { try await db.sql.raw("UPDATE events SET going = \(bind: going) WHERE id = \(bind: eventID)").run() }
    }

    static func state(of userID: UUID?, at eventID: UUID, on db: any Database) async throws -> RSVPState {
        guard let userID else { return .none }
        struct Row: Decodable { var answer: String; var waitlisted_at: Date? }
        guard let row = try await db.sql.raw("""
            SELECT answer, waitlisted_at FROM event_rsvps WHERE event_id = \(bind: eventID) AND user_id = \(bind: userID)
            """).first(decoding: Row.self) else { return .none }
        switch row.answer {
        case "yes":
            guard row.waitlisted_at != nil else { return .going }
            // The order of the waitlist, read as a list: comparing stored times for equality is not reliable.
            struct Waiting: Decodable { var user_id: UUID }
            let queue = try await db.sql.raw("""
                SELECT user_id FROM event_rsvps WHERE event_id = \(bind: eventID) AND answer = 'yes' AND waitlisted_at IS NOT NULL
                ORDER BY waitlisted_at, user_id
                """).all(decoding: Waiting.self)
            return .waitlisted(position: (queue.firstIndex { $0.user_id == userID } ?? queue.count) + 1)
        case "maybe": return .maybe
        default: return .no
        }
    }

    /// Everyone who answered, seated first, then the waitlist in order, then maybe; with check-ins.
    static func attendees(of eventID: UUID, on db: any Database) async throws -> [AttendeeRow] {
        try await db.sql.raw("""
            SELECT r.user_id, \(AccountsSQL.name(of: "r.user_id")) AS name, \(ProfilesSQL.slug(of: "r.user_id")) AS slug,
                \(ProfilesSQL.business(of: "r.user_id")) AS business, r.answer, r.waitlisted_at, c.checked_in_at
            FROM event_rsvps r
            LEFT JOIN event_checkins c ON c.event_id = r.event_id AND c.user_id = r.user_id
            WHERE r.event_id = \(bind: eventID) AND r.answer IN ('yes', 'maybe')
            ORDER BY CASE WHEN r.answer = 'yes' AND r.waitlisted_at IS NULL THEN 0 WHEN r.answer = 'yes' THEN 1 ELSE 2 END,
                     r.waitlisted_at, name, r.user_id
            """).all(decoding: AttendeeRow.self)
    }

    /// Who checked in, with their profiles: what each attendee sees after the event.
    static func checkedIn(to eventID: UUID, on db: any Database) async throws -> [AttendeeRow] {
        try await db.sql.raw("""
            SELECT c.user_id, \(AccountsSQL.name(of: "c.user_id")) AS name, \(ProfilesSQL.slug(of: "c.user_id")) AS slug,
                \(ProfilesSQL.business(of: "c.user_id")) AS business, COALESCE(r.answer, 'yes') AS answer, NULL AS waitlisted_at, c.checked_in_at
            FROM event_checkins c
            LEFT JOIN event_rsvps r ON r.event_id = c.event_id AND r.user_id = c.user_id
            WHERE c.event_id = \(bind: eventID)
            ORDER BY name, c.user_id
            """).all(decoding: AttendeeRow.self)
    }

    static func isCheckedIn(_ userID: UUID?, at eventID: UUID, on db: any Database) async throws -> Bool {
        guard let userID else { return false }
        struct Row: Decodable { var user_id: UUID }
        return try await db.sql.raw("SELECT user_id FROM event_checkins WHERE event_id = \(bind: eventID) AND user_id = \(bind: userID)")
            .first(decoding: Row.self) != nil
    }

    /// Whether `user` may see who answered: anyone when the organizer made the list public; otherwise
    /// those who said yes or checked in, and the people who run the event.
    static func mayListAttendees(_ event: EventRecord, _ user: User?, on db: any Database) async throws -> Bool {
        if event.attendees_public { return true }
        guard let userID = user?.id else { return false }
        if try await Events.canManage(event, user, on: db) { return true }
        if try await isCheckedIn(userID, at: event.id, on: db) { return true }
        return try await state(of: userID, at: event.id, on: db) == .going
    }

    /// Check-in opens an hour before the start and closes six hours after the end.
    static func checkInOpen(_ event: EventRecord, now: Date) -> Bool {
        now >= event.starts_at.addingTimeInterval(-3_600) && now <= event.ends_at.addingTimeInterval(6 * 3_600)
    }

    /// Self check-ins (with the code) a member may try for one event in an hour.
    static let codeGuesses = Throttle(limit: 10, window: 3600)

    /// The organizer checks someone in (`by` is the organizer), or a member checks themselves in
    /// with the code shown at the venue (`code`). Checking in twice changes nothing.
    static func checkIn(_ event: EventRecord, _ userID: UUID, by organizer: UUID?, code: String?, now: Date = Date(), on db: any Database) async throws {
        guard !event.isCancelled else { throw EventsError.cancelled }
        guard checkInOpen(event, now: now) else { throw now < event.starts_at ? EventsError.notYet : EventsError.over }
        if organizer == nil {
            // Six letters are guessed in a few thousand tries, not in ten an hour (a member checks in once).
            try await codeGuesses.consume("checkin-code:\(event.id):\(userID)", on: db, now: now)
            let typed = (code ?? "").uppercased().filter { !$0.isWhitespace && $0 != "-" }
            guard typed.count == 6, SecureToken.constantTimeEquals(typed, event.checkin_code) else { throw EventsError.wrongCode }
        }
        guard try await User.find(userID, on: db) != nil else { throw EventsError.memberNotFound }
        try await db.sql.raw("""
            INSERT INTO event_checkins (event_id, user_id, checked_in_by, checked_in_at)
            VALUES (\(bind: event.id), \(bind: userID), \(bind: organizer), \(bind: now))
            ON CONFLICT DO NOTHING
            """).run()
    }

    /// A contact made from someone met at an event: their name, business and website from their
    /// profile, linked to it, "met at" the event. An existing contact for that member is reused;
    /// either way the meeting is logged as a touch, so meeting again at the next event shows too.
    static func contact(from event: EventRecord, member: UUID, for owner: UUID, on db: any Database) async throws -> UUID {
        guard let account = try await User.find(member, on: db) else { throw EventsError.memberNotFound }
        let profile = try await Profile.find(userID: member, on: db)
        let met = "\(event.title), \(EventTimes.brief(event.starts_at, zone: event.zone))"
        let website = profile.map { $0.website.hasPrefix("http") ? $0.website : "" } ?? ""
        let id = try await Contacts.metAtEvent(
            event.id, label: met, member: member,
            fields: ContactFields(name: account.name, business: profile?.business ?? "", website: website, met: met),
            memberSlug: profile?.slug, owner: owner, on: db)
        try await FollowUps.logTouch(contact: id, followUp: nil, kind: .met, outcome: "Met at " + met, at: min(Date(), event.ends_at),
                                     owner: owner, on: db)
        return id
    }
}
