import Fluent
import Foundation
import SQLKit

/// Proof that the work is moving: per week, the emails a member sent to contacts and how many were
/// answered, beside the referrals they gave and received. Drawn as a small SVG with a title per bar
/// and the same figures as a table for screen readers.
struct ResponseChart: Encodable, Sendable {
    struct Week: Encodable, Sendable {
        var label: String
        var sent = 0
        var answered = 0
        var given = 0
        var received = 0
    }

    var weeks: [Week]
    var svg: String
    var sent: Int
    var answered: Int
    /// Answered as a share of sent, in whole percent; nil with nothing sent.
    var rate: Int?

    static let weekCount = 12

    static func load(_ owner: UUID, now: Date = Date(), on db: any Database) async throws -> ResponseChart {
        let thisMonday = KnowledgeDigest.week(of: now).monday
        let start = thisMonday.addingTimeInterval(-Double(weekCount - 1) * 7 * 86_400)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM"
        var weeks = (0..<weekCount).map { Week(label: formatter.string(from: start.addingTimeInterval(Double($0) * 7 * 86_400))) }
        func index(_ date: Date) -> Int? {
            let i = Int(date.timeIntervalSince(start) / (7 * 86_400))
            return (0..<weekCount).contains(i) ? i : nil
        }
        struct Sent: Decodable { var sent_at: Date; var answered_at: Date? }
        for row in try await db.sql.raw("""
            SELECT sent_at, answered_at FROM contact_emails WHERE owner_id = \(bind: owner) AND sent_at >= \(bind: start)
            """).all(decoding: Sent.self) {
            guard let i = index(row.sent_at) else { continue }
            weeks[i].sent += 1
            if row.answered_at != nil { weeks[i].answered += 1 }
        }
        struct Referral: Decodable { var created_at: Date; var given: Bool }
        for row in try await db.sql.raw("""
            SELECT a.at AS created_at, a.flag AS given FROM \(Referrals.referralsSQL(of: owner, since: start)) a
            """).all(decoding: Referral.self) {
            guard let i = index(row.created_at) else { continue }
            if row.given { weeks[i].given += 1 } else { weeks[i].received += 1 }
        }
        let sent = weeks.map(\.sent).reduce(0, +), answered = weeks.map(\.answered).reduce(0, +)
        return ResponseChart(weeks: weeks, svg: draw(weeks), sent: sent, answered: answered,
                             rate: sent == 0 ? nil : Int((Double(answered) / Double(sent) * 100).rounded()))
    }

    /// Four bars a week: sent, answered, referrals given, received; scaled to the busiest week.
    static func draw(_ weeks: [Week]) -> String {
        let width = 600.0, height = 160.0, bottom = 140.0, slot = width / Double(max(weeks.count, 1))
        let top = Double(max(1, weeks.map { max($0.sent, $0.answered, $0.given, $0.received) }.max() ?? 1))
        let series: [(KeyPath<Week, Int>, String, String)] = [
            (\.sent, "emails sent", "chart-sent"), (\.answered, "answered", "chart-answered"),
            (\.given, "referrals given", "chart-given"), (\.received, "referrals received", "chart-received"),
        ]
        var svg = """
            <svg class="response-chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">\
            <title id="chart-title">Emails sent and answered, and referrals given and received, per week for the last \(weeks.count) weeks</title>
            """
        for (i, week) in weeks.enumerated() {
            let x0 = Double(i) * slot + 4
            for (s, (path, name, css)) in series.enumerated() {
                let value = week[keyPath: path]
                let h = Double(value) / top * (bottom - 10)
                let x = x0 + Double(s) * (slot - 8) / 4
                svg += "<rect class=\"\(css)\" x=\"\(f(x))\" y=\"\(f(bottom - h))\" width=\"\(f((slot - 8) / 4 - 1))\" height=\"\(f(max(h, 0.5)))\">"
                    + "<title>Week of \(week.label): \(value) \(name)</title></rect>"
            }
            if i % 2 == 0 {
                svg += "<text x=\"\(f(x0))\" y=\"156\" font-size=\"11\">\(week.label)</text>"
            }
        }
        return svg + "</svg>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
