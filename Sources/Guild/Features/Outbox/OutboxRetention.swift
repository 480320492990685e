import Fluent
import Foundation
import SQLKit

/// What the outbox keeps after an email has left: its kind, status, times and the recipient's domain.
/// The text (reset and invitation links, trusted-contact links, runbook messages, members' emails to
/// their contacts, forwarded replies), the subject, the full address and the headers are blanked when
/// it is sent; a message that failed for good keeps them a week for an admin's retry. Rows written
/// before this rule are purged by the hourly job in batches, so no statement holds a lock for long.
enum OutboxRetention {
    static let keepFailed: TimeInterval = 7 * 86_400
    /// Rows per statement: 500 keeps each well under 100 ms on both databases (2,000 took up to 0.6 s).
    static let batch = 500

    /// The SET list that blanks a row (its recipient kept as `@domain`).
    static func purged(at now: Date, on db: any Database) -> SQLQueryString {
        // Where the @ is: SQLite's INSTR, PostgreSQL's STRPOS (neither has the other's).
        let at = db.isSQLite ? "INSTR(recipient, '@')" : "STRPOS(recipient, '@')"
        return """
            subject = '', body = '', from_name = NULL, reply_to = NULL, calendar = NULL, unsubscribe_url = NULL,
            recipient = CASE WHEN \(unsafeRaw: at) > 0 THEN SUBSTR(recipient, \(unsafeRaw: at)) ELSE '' END, purged_at = \(bind: now)
            """
    }

    struct Report: Sendable {
        var purged = 0
        var batches = 0
        /// The longest single statement, in seconds: the longest any lock was held.
        var slowest: Double = 0
    }

    /// Purges sent messages (and failed ones older than a week) not yet purged, `batch` rows per
    /// statement until none is left; returns how many.
    @discardableResult
    static func purge(now: Date = Date(), batch: Int = batch, on db: any Database) async throws -> Int {
        try await purgeReporting(now: now, batch: batch, on: db).purged
    }

    /// `purge`, with how many statements it took and the longest of them (`guild outbox purge`, the benchmark).
    ///
    /// Each pass walks the partial index `outbox_messages_unpurged (status, created_at)` from where the
    /// previous batch stopped (a keyset on `created_at`), oldest first. A batch that started from the
    /// beginning again made PostgreSQL step over every index entry the earlier batches had purged
    /// (they stay in the index until vacuum), and the last, empty search read the whole table:
    /// 0.6–1.2 s on a million-row backlog. Rows purged already no longer match, so `>=` repeats none.
    static func purgeReporting(now: Date = Date(), batch: Int = batch, on db: any Database) async throws -> Report {
        var report = Report()
        // One status at a time, each matching the partial index (an OR of the two made PostgreSQL scan the table).
        let passes: [SQLQueryString] = [
            "status = 'sent'",
            "status = 'failed' AND created_at < \(bind: now.addingTimeInterval(-keepFailed))",
        ]
        struct Row: Decodable { var id: UUID; var created_at: Date }
        for due in passes {
            var from = Date.distantPast
            while true {
                let started = ContinuousClock.now
                let rows = try await db.sql.raw("""
                    UPDATE outbox_messages SET \(purged(at: now, on: db)) WHERE id IN (
                        SELECT id FROM outbox_messages WHERE purged_at IS NULL AND \(due) AND created_at >= \(bind: from)
                        ORDER BY created_at LIMIT \(literal: batch))
                    RETURNING id, created_at
                    """).all(decoding: Row.self)
                let elapsed = ContinuousClock.now - started
                report.slowest = max(report.slowest, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                report.purged += rows.count
                report.batches += 1
                guard rows.count == batch, let last = rows.map(\.created_at).max() else { break }
                // A millisecond back: SQLite's driver rounds the decoded time to the microsecond, which
                // could land just above the rest of a batch written at one instant.
                from = last.addingTimeInterval(-0.001)
            }
        }
        return report
    }
}
