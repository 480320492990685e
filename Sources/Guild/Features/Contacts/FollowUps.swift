import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

/// A follow-up as stored: a purpose and a day (`YYYY-MM-DD`, the member's day), maybe snoozed to a
/// later one, maybe emailed, answered or done.
struct FollowUpRecord: Decodable, Sendable {
    var id: UUID
    var contact_id: UUID
    var contact_name: String
    var purpose: String
    var due_on: String
    var snoozed_until: String?
    var emailed_at: Date?
    var answered_at: Date?
    var done_at: Date?
    var created_at: Date

    /// The day it shows on: the snooze, else the due day.
    var day: String { snoozed_until ?? due_on }
}

/// Kinds of touch a member logs, and the reply Guild logs when an answer comes back.
enum TouchKind: String, CaseIterable, Sendable, Codable {
    case email, call, met, message, reply

    var label: String {
        switch self {
        case .email: "Email"
        case .call: "Call"
        case .met: "Met"
        case .message: "Message"
        case .reply: "They replied"
        }
    }
}

struct TouchRecord: Decodable, Sendable {
    var id: UUID
    var contact_id: UUID
    var followup_id: UUID?
    var kind: String
    var outcome: String
    var happened_at: Date
}

enum FollowUps {
    static let maxPurpose = 200

    /// One formatter for every follow-up day, made once (lists and Today ask for days on every request).
    static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    /// Today in UTC as `YYYY-MM-DD`; follow-up days compare as text.
    static func day(_ date: Date = Date(), offsetDays: Int = 0) -> String {
        dayFormatter.string(from: date.addingTimeInterval(Double(offsetDays) * 86_400))
    }

    /// A `YYYY-MM-DD` day of 2000 to 2099 that exists (the API document's rule); nil otherwise.
    static func checkedDay(_ raw: String) -> String? {
        guard raw.count == 10, raw.wholeMatch(of: /20[0-9]{2}-[0-9]{2}-[0-9]{2}/) != nil else { return nil }
        guard let date = dayFormatter.date(from: raw), dayFormatter.string(from: date) == raw else { return nil }
        return raw
    }

    static func checkedPurpose(_ raw: String) throws -> String {
        let purpose = raw.trimmingWhitespace()
        guard !purpose.isEmpty else { throw ContactsError.invalid(field: "purpose", "Say what the follow-up is for, like “send the proposal”.") }
        guard raw.unicodeScalars.count <= maxPurpose else { throw ContactsError.invalid(field: "purpose", "The purpose can be at most \(maxPurpose) characters.") }
        if let problem = TextRules.lineProblem(purpose, what: "The purpose") { throw ContactsError.invalid(field: "purpose", problem) }
        return purpose
    }

    static func create(contact: UUID, purpose raw: String, due rawDue: String, owner: UUID, on db: any Database) async throws -> UUID {
        let purpose = try checkedPurpose(raw)
        guard let due = checkedDay(rawDue.trimmingWhitespace()) else {
            throw ContactsError.invalid(field: "due", "Give the day as YYYY-MM-DD, like \(day(offsetDays: 7)).")
        }
        _ = try await Contacts.require(contact, owner: owner, on: db)
        let id = UUID()
        try await db.sql.raw("""
            INSERT INTO followups (id, owner_id, contact_id, purpose, due_on, created_at)
            VALUES (\(bind: id), \(bind: owner), \(bind: contact), \(bind: purpose), \(bind: due), \(bind: Date()))
            """).run()
        return id
    }

    static let columns: SQLQueryString = """
        f.id, f.contact_id, c.name AS contact_name, f.purpose, f.due_on, f.snoozed_until, f.emailed_at, f.answered_at, f.done_at, f.created_at
        """

    static func find(_ id: UUID?, owner: UUID, on db: any Database) async throws -> FollowUpRecord {
        guard let id, let row = try await db.sql.raw("""
            SELECT \(columns) FROM followups f JOIN contacts c ON c.id = f.contact_id WHERE f.id = \(bind: id) AND f.owner_id = \(bind: owner)
            """).first(decoding: FollowUpRecord.self) else { throw ContactsError.followUpNotFound }
        return row
    }

    /// Open follow-ups up to a day (overdue and due), then those snoozed past it, then those emailed and
    /// waiting for an answer: the Today list.
    struct Today: Sendable {
        var overdue: [FollowUpRecord] = []
        var due: [FollowUpRecord] = []
        var snoozed: [FollowUpRecord] = []
        var waiting: [FollowUpRecord] = []
    }

    static func today(of owner: UUID, today: String, on db: any Database) async throws -> Today {
        let rows = try await db.sql.raw("""
            SELECT \(columns) FROM followups f JOIN contacts c ON c.id = f.contact_id
            WHERE f.owner_id = \(bind: owner) AND f.done_at IS NULL
                AND (f.due_on <= \(bind: today) OR f.snoozed_until IS NOT NULL OR f.emailed_at IS NOT NULL)
            ORDER BY COALESCE(f.snoozed_until, f.due_on), f.created_at LIMIT 500
            """).all(decoding: FollowUpRecord.self)
        // Follow-ups due later and untouched are not on Today: they are left in the database, not decoded and dropped.
        var list = Today()
        for row in rows {
            // Once emailed, a follow-up waits for the answer (or for "done") instead of nagging.
            if row.emailed_at != nil { list.waiting.append(row) }
            else if row.snoozed_until.map({ $0 > today }) == true { list.snoozed.append(row) }
            else if row.day < today { list.overdue.append(row) }
            else if row.day == today { list.due.append(row) }
        }
        return list
    }

    /// Every follow-up of a contact, open ones first.
    static func of(contact: UUID, owner: UUID, on db: any Database) async throws -> [FollowUpRecord] {
        try await db.sql.raw("""
            SELECT \(columns) FROM followups f JOIN contacts c ON c.id = f.contact_id
            WHERE f.contact_id = \(bind: contact) AND f.owner_id = \(bind: owner)
            ORDER BY CASE WHEN f.done_at IS NULL THEN 0 ELSE 1 END, COALESCE(f.snoozed_until, f.due_on) LIMIT 200
            """).all(decoding: FollowUpRecord.self)
    }

    /// Open follow-ups of the member, soonest first (the API's list).
    static func open(of owner: UUID, limit: Int = 200, on db: any Database) async throws -> [FollowUpRecord] {
        try await db.sql.raw("""
            SELECT \(columns) FROM followups f JOIN contacts c ON c.id = f.contact_id
            WHERE f.owner_id = \(bind: owner) AND f.done_at IS NULL
            ORDER BY COALESCE(f.snoozed_until, f.due_on), f.created_at LIMIT \(literal: limit)
            """).all(decoding: FollowUpRecord.self)
    }

    static func markDone(_ id: UUID?, owner: UUID, on db: any Database) async throws {
        let followUp = try await find(id, owner: owner, on: db)
        try await db.sql.raw("UPDATE followups SET done_at = COALESCE(done_at, \(bind: Date())) WHERE id = \(bind: followUp.id)").run()
    }

    static func snooze(_ id: UUID?, until raw: String, owner: UUID, on db: any Database) async throws {
        let followUp = try await find(id, owner: owner, on: db)
        guard let until = checkedDay(raw.trimmingWhitespace()), until > day() else {
            throw ContactsError.invalid(field: "until", "Snooze to a day after today, as YYYY-MM-DD.")
        }
        try await db.sql.raw("UPDATE followups SET snoozed_until = \(bind: until) WHERE id = \(bind: followUp.id)").run()
    }

    /// "They answered", by hand or from `guild mail receive`: the follow-up is answered and done.
    static func markAnswered(_ id: UUID, at now: Date = Date(), on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE followups SET answered_at = COALESCE(answered_at, \(bind: now)), done_at = COALESCE(done_at, \(bind: now)) WHERE id = \(bind: id)
            """).run()
    }

    /// Logs a touch and keeps the contact's last touch (and last reply) current.
    static func logTouch(contact: UUID, followUp: UUID?, kind: TouchKind, outcome: String, at when: Date = Date(), owner: UUID,
                         on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO contact_touches (id, owner_id, contact_id, followup_id, kind, outcome, happened_at, created_at)
            VALUES (\(bind: UUID()), \(bind: owner), \(bind: contact), \(bind: followUp), \(bind: kind.rawValue), \(bind: outcome), \(bind: when), \(bind: Date()))
            """).run()
        let replyColumn: SQLQueryString = kind == .reply
            ? ", last_reply_at = CASE WHEN last_reply_at IS NULL OR last_reply_at < \(bind: when) THEN \(bind: when) ELSE last_reply_at END" : ""
        try await db.sql.raw("""
            UPDATE contacts SET last_touch_at = CASE WHEN last_touch_at IS NULL OR last_touch_at < \(bind: when) THEN \(bind: when) ELSE last_touch_at END
            \(replyColumn) WHERE id = \(bind: contact) AND owner_id = \(bind: owner)
            """).run()
    }

    static func touches(of contact: UUID, owner: UUID, on db: any Database) async throws -> [TouchRecord] {
        try await db.sql.raw("""
            SELECT id, contact_id, followup_id, kind, outcome, happened_at FROM contact_touches
            WHERE contact_id = \(bind: contact) AND owner_id = \(bind: owner) ORDER BY happened_at DESC LIMIT 200
            """).all(decoding: TouchRecord.self)
    }
}
