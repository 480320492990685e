import Fluent
import Foundation
import Habits
import SQLKit
import Validation

struct PauseRow: Decodable, Sendable, Encodable {
    var id: UUID
    var starts_on: String
    var ends_on: String
    var reason: String
    var note: String
}

/// Vacation, illness or anything else a member takes days off for, and the days their cover plan was
/// on: they neither break a streak nor lower strength (the rules are in `Habits`).
enum DisciplinePauses {
    static let reasons = ["vacation": "Vacation", "illness": "Illness", "other": "Something else"]
    static let maxDays = 366, noteMax = 200

    static func list(of member: UUID, on db: any Database) async throws -> [PauseRow] {
        try await db.sql.raw("""
            SELECT id, starts_on, ends_on, reason, note FROM discipline_pauses WHERE member_id = \(bind: member) ORDER BY starts_on DESC
            """).all(decoding: PauseRow.self)
    }

    /// Every pause as days, the member's own and their covers' (from start to end, or to today while
    /// cover is on), in the member's zone.
    static func all(of member: UUID, zone: TimeZone, today: Day, on db: any Database) async throws -> [Pause] {
        struct Row: Decodable { var starts_on: String?; var ends_on: String?; var started_at: Date?; var ended_at: Date? }
        var rows = try await db.sql.raw("""
            SELECT starts_on, ends_on, NULL AS started_at, NULL AS ended_at FROM discipline_pauses WHERE member_id = \(bind: member)
            """).all(decoding: Row.self)
        rows += try await CoverActivations.periods(of: member, on: db).map { Row(started_at: $0.started, ended_at: $0.ended) }
        return rows.compactMap { row in
            if let started = row.started_at {
                return Pause(from: Day(started, in: zone), through: row.ended_at.map { Day($0, in: zone) } ?? today)
            }
            guard let from = row.starts_on.flatMap(Day.init(iso:)), let through = row.ends_on.flatMap(Day.init(iso:)) else { return nil }
            return Pause(from: from, through: through)
        }
    }

    static func create(_ member: UUID, from rawFrom: String, through rawThrough: String, reason: String, note rawNote: String,
                       today: Day, on db: any Database) async throws -> UUID {
        func fail(_ field: String, _ message: String) -> DisciplinesError { .invalid(field: field, message) }
        guard let from = Day(iso: rawFrom) else { throw fail("from", "Give the first day as YYYY-MM-DD.") }
        guard let through = Day(iso: rawThrough) else { throw fail("through", "Give the last day as YYYY-MM-DD.") }
        guard from <= through else { throw fail("through", "The last day cannot be before the first.") }
        guard from.distance(to: through) < maxDays else { throw fail("through", "A pause is at most a year; add another after it.") }
        guard from >= today.advanced(by: -Disciplines.backfillDays), through <= today.advanced(by: Disciplines.backfillDays) else {
            throw fail("from", "A pause falls within a year of today.")
        }
        guard reasons[reason] != nil else { throw fail("reason", "Choose vacation, illness or something else.") }
        if let problem = TextRules.controlProblem(rawNote, what: "The note") { throw fail("note", problem) }
        guard rawNote.count <= noteMax else { throw fail("note", "A pause's note is at most \(noteMax) characters.") }
        let note = rawNote.trimmingWhitespace()
        let id = UUID()
        try await db.sql.raw("""
            INSERT INTO discipline_pauses (id, member_id, starts_on, ends_on, reason, note, created_at)
            VALUES (\(bind: id), \(bind: member), \(bind: from.iso), \(bind: through.iso), \(bind: reason), \(bind: note), \(bind: Date()))
            """).run()
        return id
    }

    static func delete(_ id: UUID, member: UUID, on db: any Database) async throws {
        struct Gone: Decodable { var id: UUID }
        guard try await db.sql.raw("""
            DELETE FROM discipline_pauses WHERE id = \(bind: id) AND member_id = \(bind: member) RETURNING id
            """).first(decoding: Gone.self) != nil else { throw DisciplinesError.notFound }
    }
}
