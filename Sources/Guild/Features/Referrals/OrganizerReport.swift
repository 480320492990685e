import Fluent
import SQLKit
import Validation
import Vapor

/// What organizers see of the ledger: flows and totals, never a client. Referrals and wins per
/// month (with the won value per currency), the niche pairs that refer to each other, and the
/// members who give but never receive, or the reverse.
struct OrganizerReport: Encodable, Sendable {
    struct Month: Encodable, Sendable {
        var month: String
        var referrals: Int
        var won: Int
        var value: String
    }
    struct Pair: Encodable, Sendable { var from: String; var to: String; var count: Int }
    struct Person: Encodable, Sendable { var name: String; var slug: String?; var count: Int }
    struct Bar: Encodable, Sendable {
        var x: Int; var width: Int; var y: Int; var height: Int; var wonY: Int; var wonHeight: Int; var label: String; var title: String
    }

    var months: [Month]
    var pairs: [Pair]
    var giveOnly: [Person]
    var receiveOnly: [Person]
    /// The months as bars of a server-rendered SVG chart (the table beside it says the same in words).
    var bars: [Bar]
    var total: Int

    static func query(on db: any Database, now: Date = Date()) async throws -> OrganizerReport {
        let month: SQLQueryString = db.isSQLite
            ? "strftime('%Y-%m', r.created_at, 'unixepoch')" : "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM')"
        // From the first day of the month eleven months back, in UTC.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let start = utc.date(from: utc.dateComponents([.year, .month], from: now)) ?? now
        let since = utc.date(byAdding: .month, value: -11, to: start) ?? start
        struct MonthRow: Decodable { var month: String; var referrals: Int; var won: Int }
        let monthRows = try await db.sql.raw("""
            SELECT \(month) AS month, COUNT(*) AS referrals, SUM(CASE WHEN r.status = 'won' THEN 1 ELSE 0 END) AS won
            FROM referrals r WHERE r.created_at >= \(bind: since) GROUP BY \(month) ORDER BY month
            """).all(decoding: MonthRow.self)
        struct ValueRow: Decodable { var month: String; var currency: String; var total: Int64 }
        let values = try await db.sql.raw("""
            SELECT \(month) AS month, r.currency, CAST(SUM(r.value_minor) AS BIGINT) AS total FROM referrals r
            WHERE r.created_at >= \(bind: since) AND r.status = 'won' AND r.currency IS NOT NULL
            GROUP BY \(month), r.currency ORDER BY month, r.currency
            """).all(decoding: ValueRow.self)
        // Every one of the twelve months, quiet ones too, so the chart's bars keep their places.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let keys = (0..<12).reversed().compactMap { back -> String? in
            guard let date = calendar.date(byAdding: .month, value: -back, to: now) else { return nil }
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        }
        let byMonth = Dictionary(monthRows.map { ($0.month, $0) }, uniquingKeysWith: { first, _ in first })
        let months = keys.map { key in
            Month(month: key, referrals: byMonth[key]?.referrals ?? 0, won: byMonth[key]?.won ?? 0,
                  value: values.filter { $0.month == key }.map { Money(minorUnits: $0.total, currency: $0.currency).display }
                    .joined(separator: " · "))
        }
        struct PairRow: Decodable { var from_niche: String; var to_niche: String; var n: Int }
        // Each member's first niche once, then the ledger against it: joined in one statement, SQLite
        // started from the niches and visited every referral once per niche (minutes at a million).
        let pairs = try await db.sql.raw("""
            WITH lead_niche AS MATERIALIZED \(Profiles.leadNicheSQL)
            SELECT g.name AS from_niche, rc.name AS to_niche, COUNT(*) AS n FROM referrals r
            JOIN lead_niche g ON g.user_id = r.giver_id JOIN lead_niche rc ON rc.user_id = r.receiver_id
            GROUP BY g.name, rc.name ORDER BY COUNT(*) DESC, g.name, rc.name LIMIT 20
            """).all(decoding: PairRow.self)
        struct PersonRow: Decodable { var name: String; var slug: String?; var n: Int }
        func oneWay(_ side: String, _ other: String) async throws -> [Person] {
            try await db.sql.raw("""
                SELECT \(AccountsSQL.name(of: "c.id")) AS name, \(ProfilesSQL.slug(of: "c.id")) AS slug, c.n FROM (
                    SELECT r.\(unsafeRaw: side) AS id, COUNT(*) AS n FROM referrals r
                    WHERE NOT EXISTS (SELECT 1 FROM referrals o WHERE o.\(unsafeRaw: other) = r.\(unsafeRaw: side))
                    GROUP BY r.\(unsafeRaw: side)) c
                ORDER BY c.n DESC, name LIMIT 20
                """).all(decoding: PersonRow.self).map { Person(name: $0.name, slug: $0.slug, count: $0.n) }
        }
        struct Total: Decodable { var n: Int }
        let total = try await db.sql.raw("SELECT COUNT(*) AS n FROM referrals").first(decoding: Total.self)?.n ?? 0
        return OrganizerReport(
            months: months, pairs: pairs.map { Pair(from: $0.from_niche, to: $0.to_niche, count: $0.n) },
            giveOnly: try await oneWay("giver_id", "receiver_id"), receiveOnly: try await oneWay("receiver_id", "giver_id"),
            bars: bars(months), total: total)
    }

    /// Bars 40 wide in a 600 × 200 chart; a month's wins are the darker part of its bar.
    static func bars(_ months: [Month]) -> [Bar] {
        let top = max(1, months.map(\.referrals).max() ?? 1)
        let slot = months.isEmpty ? 0 : 560 / max(months.count, 1)
        return months.enumerated().map { index, month in
            let height = month.referrals * 160 / top, wonHeight = month.won * 160 / top
            return Bar(x: 20 + index * slot, width: max(4, slot - 8), y: 180 - height, height: height, wonY: 180 - wonHeight,
                       wonHeight: wonHeight, label: String(month.month.suffix(2)),
                       title: "\(month.month): \(month.referrals) referral\(month.referrals == 1 ? "" : "s"), \(month.won) won")
        }
    }
}
