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
    /// SQLite: the gap after each batch in which other writers take the write lock.
    static let yieldToWriters: Duration = .milliseconds(20)

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
    ///
    /// On SQLite the walk runs on one connection with automatic checkpoints off and a passive checkpoint
    /// after each batch: the automatic one runs inside the committing writer's write lock and, every
    /// 1,000 pages, copied the WAL into a 1 GB file for up to 405 ms while every other writer waited; a
    /// passive checkpoint takes no write lock (each took ~1 ms, the longest statement fell to 10 ms).
    /// Then a pause (`yieldToWriters`): back to back, the batches held the lock ~85% of the time and a
    /// writer waiting in SQLite's busy handler (which sleeps 1, 2, 5 … 100 ms between tries) kept finding
    /// it taken, once for 430 ms although no statement held it longer than 10 ms.
    static func purgeReporting(now: Date = Date(), batch: Int = batch, on db: any Database) async throws -> Report {
        guard db.isSQLite else { return try await walk(now: now, batch: batch, on: db, afterBatch: {}) }
        return try await db.withConnection { connection in
            try await connection.sql.raw("PRAGMA wal_autocheckpoint = 0").run()
            let restore = { try await connection.sql.raw("PRAGMA wal_autocheckpoint = 1000").run() }
            do {
                let report = try await walk(now: now, batch: batch, on: connection) {
                    try await connection.sql.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
                    try await Task.sleep(for: yieldToWriters)
                }
                try await restore()
                return report
            } catch {
                try? await restore()
                throw error
            }
        }
    }

    private static func walk(now: Date, batch: Int, on db: any Database, afterBatch: () async throws -> Void) async throws -> Report {
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
                try await afterBatch()
                guard rows.count == batch, let last = rows.map(\.created_at).max() else { break }
                // A millisecond back: SQLite's driver rounds the decoded time to the microsecond, which
                // could land just above the rest of a batch written at one instant.
                from = last.addingTimeInterval(-0.001)
            }
        }
        return report
    }
}
