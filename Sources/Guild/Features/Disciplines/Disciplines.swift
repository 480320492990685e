import Fluent
import Foundation
import Habits
import SQLKit
import Validation

struct DisciplineRow: Decodable, Sendable {
    var id: UUID
    var member_id: UUID
    var name: String
    var kind: String
    var target: Int
    var niche_id: UUID?
    var niche_name: String?
    var niche_slug: String?
    var tag: String
    var position: Int
    var starts_on: String
    var created_at: Date

    var habitKind: Kind { Kind(rawValue: kind) ?? .done }
    var start: Day { Day(iso: starts_on) ?? Day(number: 0) }
}

struct DisciplineDayRow: Decodable, Sendable, Encodable {
    var day: String
    var value: Int
    var note: String
    var link: String
}

/// Disciplines' storage and the figures the pages, API and emails show.
enum Disciplines {
    static let maxPerMember = 20
    /// How far back a day may be logged or changed.
    static let backfillDays = 365

    // MARK: Time zone

    static func zone(of member: UUID, on db: any Database) async throws -> TimeZone {
        try await storedZone(of: member, on: db) ?? TimeZone(identifier: "UTC")!
    }

    /// The zone the member set, or nil (then their days follow UTC).
    static func storedZone(of member: UUID, on db: any Database) async throws -> TimeZone? {
        struct Row: Decodable { var time_zone: String }
        let row = try await db.sql.raw("SELECT time_zone FROM discipline_settings WHERE member_id = \(bind: member)").first(decoding: Row.self)
        return row.flatMap { TimeZone(identifier: $0.time_zone) }
    }

    /// The zone's name as members know it: Linux calls UTC "GMT".
    static func name(_ zone: TimeZone) -> String { zone.identifier == "GMT" ? "UTC" : zone.identifier }

    static func today(of member: UUID, now: Date = Date(), on db: any Database) async throws -> Day {
        Day(now, in: try await zone(of: member, on: db))
    }

    /// A zone name as IANA spells it ("America/Chicago"), or nil.
    static func validZone(_ raw: String) -> TimeZone? {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }),
              TimeZone.knownTimeZoneIdentifiers.contains(name) || name == "UTC" else { return nil }
        return TimeZone(identifier: name)
    }

    static func setZone(_ member: UUID, _ zone: TimeZone, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO discipline_settings (member_id, time_zone, updated_at) VALUES (\(bind: member), \(bind: zone.identifier), \(bind: Date()))
            ON CONFLICT (member_id) DO UPDATE SET time_zone = excluded.time_zone, updated_at = excluded.updated_at
            """).run()
    }

    // MARK: Disciplines

    static let columns: SQLQueryString = """
        d.id, d.member_id, d.name, d.kind, d.target, d.niche_id, \(NichesSQL.name(of: "d.niche_id")) AS niche_name,
        \(NichesSQL.slug(of: "d.niche_id")) AS niche_slug, d.tag, d.position, d.starts_on, d.created_at
        """

    static func list(of member: UUID, on db: any Database) async throws -> [DisciplineRow] {
        try await db.sql.raw("""
            SELECT \(columns) FROM disciplines d
            WHERE d.member_id = \(bind: member) ORDER BY d.position, d.created_at
            """).all(decoding: DisciplineRow.self)
    }

    static func find(_ id: UUID, on db: any Database) async throws -> DisciplineRow? {
        try await db.sql.raw("""
            SELECT \(columns) FROM disciplines d WHERE d.id = \(bind: id)
            """).first(decoding: DisciplineRow.self)
    }

    /// The discipline if `member` owns it; otherwise not found (never "forbidden": ids are not confirmed).
    static func owned(_ id: UUID, by member: UUID, on db: any Database) async throws -> DisciplineRow {
        guard let row = try await find(id, on: db), row.member_id == member else { throw DisciplinesError.notFound }
        return row
    }

    static func create(_ input: DisciplineInput, member: UUID, now: Date = Date(), on db: any Database) async throws -> UUID {
        let valid = try await input.validated(member: member, on: db)
        let today = try await today(of: member, now: now, on: db)
        return try await db.writeTransaction(reportingGeneration: false) { db in
            try await insert(valid, member: member, today: today, now: now, on: db)
        }
    }

    /// Inside a write transaction: the member's count against the limit, then the row.
    static func insert(_ valid: (name: String, kind: Kind, target: Int, nicheID: UUID?, tag: String), member: UUID, today: Day, now: Date,
                       on db: any Database) async throws -> UUID {
        try await db.lock("disciplines:\(member)")
        struct Count: Decodable { var n: Int; var top: Int? }
        let count = try await db.sql.raw("""
            SELECT COUNT(*) AS n, MAX(position) AS top FROM disciplines WHERE member_id = \(bind: member)
            """).first(decoding: Count.self)
        guard (count?.n ?? 0) < maxPerMember else { throw DisciplinesError.tooMany }
        let id = UUID()
        try await db.sql.raw("""
            INSERT INTO disciplines (id, member_id, name, kind, target, niche_id, tag, position, starts_on, created_at, updated_at)
            VALUES (\(bind: id), \(bind: member), \(bind: valid.name), \(bind: valid.kind.rawValue), \(bind: valid.target),
                    \(bind: valid.nicheID), \(bind: valid.tag), \(bind: (count?.top ?? 0) + 1), \(bind: today.iso), \(bind: now), \(bind: now))
            """).run()
        return id
    }

    /// Inside a transaction: many days at once (imports, demo data), 200 rows a statement.
    static func insertDays(_ rows: [(discipline: UUID, day: Day, value: Int, note: String)], now: Date, on db: any Database) async throws {
        for start in stride(from: 0, to: rows.count, by: 200) {
            let values = rows[start..<min(start + 200, rows.count)].map { row in
                SQLQueryString("(\(bind: row.discipline), \(bind: row.day.iso), \(bind: row.value), \(bind: row.note), '', \(bind: now))")
            }
            let query: SQLQueryString = """
                INSERT INTO discipline_days (discipline_id, day, value, note, link, updated_at) VALUES \(values.joined(separator: ", "))
                ON CONFLICT (discipline_id, day) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """
            try await db.sql.raw(query).run()
        }
    }

    static func update(_ id: UUID, _ input: DisciplineInput, member: UUID, on db: any Database) async throws {
        _ = try await owned(id, by: member, on: db)
        let valid = try await input.validated(member: member, on: db)
        try await db.sql.raw("""
            UPDATE disciplines SET name = \(bind: valid.name), kind = \(bind: valid.kind.rawValue), target = \(bind: valid.target),
                niche_id = \(bind: valid.nicheID), tag = \(bind: valid.tag), updated_at = \(bind: Date())
            WHERE id = \(bind: id) AND member_id = \(bind: member)
            """).run()
    }

    static func delete(_ id: UUID, member: UUID, on db: any Database) async throws {
        _ = try await owned(id, by: member, on: db)
        try await db.sql.raw("DELETE FROM disciplines WHERE id = \(bind: id) AND member_id = \(bind: member)").run()
    }

    // MARK: Days

    /// Logs (or with nothing done and nothing noted, clears) one day, up to a year back and not after today.
    @discardableResult
    static func setDay(_ id: UUID, day rawDay: String, _ input: DayInput, member: UUID, now: Date = Date(),
                       on db: any Database) async throws -> DisciplineDayRow? {
        let discipline = try await owned(id, by: member, on: db)
        guard let day = Day(iso: rawDay) else { throw DisciplinesError.invalid(field: "day", "Give the day as YYYY-MM-DD.") }
        let today = try await today(of: member, now: now, on: db)
        guard day <= today else { throw DisciplinesError.invalid(field: "day", "That day has not come yet where you are (today is \(today.iso)).") }
        guard day >= today.advanced(by: -backfillDays) else {
            throw DisciplinesError.invalid(field: "day", "Days can be filled in up to a year back (from \(today.advanced(by: -backfillDays).iso)).")
        }
        let valid = try input.validated(kind: discipline.habitKind, target: discipline.target)
        if valid.value == 0 && valid.note.isEmpty && valid.link.isEmpty {
            try await db.sql.raw("DELETE FROM discipline_days WHERE discipline_id = \(bind: id) AND day = \(bind: day.iso)").run()
            return nil
        }
        try await db.sql.raw("""
            INSERT INTO discipline_days (discipline_id, day, value, note, link, updated_at)
            VALUES (\(bind: id), \(bind: day.iso), \(bind: valid.value), \(bind: valid.note), \(bind: valid.link), \(bind: now))
            ON CONFLICT (discipline_id, day) DO UPDATE SET value = excluded.value, note = excluded.note, link = excluded.link,
                updated_at = excluded.updated_at
            """).run()
        return DisciplineDayRow(day: day.iso, value: valid.value, note: valid.note, link: valid.link)
    }

    /// Every logged value of a member's disciplines, per discipline. One row per discipline with its
    /// days folded into one string ("2026-11-02:60,2026-11-03:45"), parsed here: three years of five
    /// disciplines is 5 rows to decode, not 5,000.
    static func values(of member: UUID, on db: any Database) async throws -> [UUID: [Day: Int]] {
        struct Row: Decodable { var discipline_id: UUID; var days: String? }
        let fold = db.isSQLite ? "group_concat(x.day || ':' || x.value, ',')" : "string_agg(x.day || ':' || x.value, ',')"
        let rows = try await db.sql.raw("""
            SELECT x.discipline_id, \(unsafeRaw: fold) AS days FROM discipline_days x JOIN disciplines d ON d.id = x.discipline_id
            WHERE d.member_id = \(bind: member) AND x.value > 0 GROUP BY x.discipline_id
            """).all(decoding: Row.self)
        var out: [UUID: [Day: Int]] = [:]
        for row in rows {
            var values: [Day: Int] = [:]
            for item in (row.days ?? "").utf8.split(separator: UInt8(ascii: ",")) {
                guard item.count > 11, let day = Day(iso: String(decoding: item.prefix(10), as: UTF8.self)),
                      let value = Int(String(decoding: item.dropFirst(11), as: UTF8.self)) else { continue }
                values[day] = value
            }
            out[row.discipline_id] = values
        }
        return out
    }

    /// A discipline's logged days with notes, newest first (a page's worth).
    static func days(_ id: UUID, limit: Int = 60, on db: any Database) async throws -> [DisciplineDayRow] {
        try await db.sql.raw("""
            SELECT day, value, note, link FROM discipline_days WHERE discipline_id = \(bind: id) ORDER BY day DESC LIMIT \(bind: limit)
            """).all(decoding: DisciplineDayRow.self)
    }

    static func history(_ row: DisciplineRow, values: [Day: Int], pauses: [Pause]) -> History {
        History(kind: row.habitKind, target: row.target, start: row.start, values: values, pauses: pauses)
    }
}

extension NicheLink {
    /// The niche a discipline grows (optional).
    static let disciplines = NicheLink(owner: "Disciplines", table: "disciplines", shape: .attribute)
}
