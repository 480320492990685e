import Fluent
import SQLKit
import Vapor

/// Sends due messages. Each run claims rows with a lease, so that several `guild serve`
/// instances never send one message twice; failures retry with exponential back-off.
struct OutboxDelivery: Sendable {
    static let maxAttempts = 8
    static let lease: TimeInterval = 120

    var db: any Database
    var transport: any MailTransport
    var from: String
    var logger: Logger

    struct Claimed: Decodable, Sendable {
        var id: UUID
        var recipient: String
        var subject: String
        var body: String
        var attempts: Int
        var unsubscribe_url: String?
        var from_name: String?
        var reply_to: String?
        var calendar: String?
    }

    /// Minutes to wait after the nth failed attempt: 1, 2, 4, … capped at six hours.
    static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, attempt - 1))), 6 * 3600)
    }

    @discardableResult
    func deliverDue(now: Date = Date(), limit: Int = 20) async throws -> (sent: Int, failed: Int) {
        var sent = 0, failed = 0
        for message in try await claimDue(now: now, limit: limit) {
            do {
                try await transport.send(Email(from: from, to: message.recipient, subject: message.subject,
                                               body: message.body, messageID: "\(message.id.uuidString.lowercased())@guild",
                                               unsubscribeURL: message.unsubscribe_url, fromName: message.from_name,
                                               replyTo: message.reply_to, calendar: message.calendar))
                // Sent: keep what operations need (kind, status, times, the recipient's domain), not the text.
                try await db.sql.raw("""
                    UPDATE outbox_messages SET status = 'sent', sent_at = \(bind: Date()), claimed_until = NULL,
                    last_error = NULL, \(OutboxRetention.purged(at: Date(), on: db)) WHERE id = \(bind: message.id)
                    """).run()
                sent += 1
            } catch {
                failed += 1
                let gaveUp = message.attempts >= Self.maxAttempts
                logger.warning("outbox delivery failed", metadata: [
                    "message_id": .string(message.id.uuidString), "attempt": .stringConvertible(message.attempts),
                    "error": .string(String(describing: error)),
                ])
                try await db.sql.raw("""
                    UPDATE outbox_messages SET status = \(bind: gaveUp ? "failed" : "pending"),
                    next_attempt_at = \(bind: Date().addingTimeInterval(Self.backoff(afterAttempt: message.attempts))),
                    claimed_until = NULL, last_error = \(bind: String(String(describing: error).prefix(1000)))
                    WHERE id = \(bind: message.id)
                    """).run()
            }
        }
        return (sent, failed)
    }

    /// Takes up to `limit` due messages in one statement. PostgreSQL skips rows another instance is
    /// claiming, and picks them in a materialized CTE: as `WHERE id IN (… FOR UPDATE SKIP LOCKED)` the
    /// subquery may be run again per row and claim fewer (or other) rows than it picked. SQLite
    /// serialises writers, so the statement alone is enough there.
    func claimDue(now: Date, limit: Int) async throws -> [Claimed] {
        let due: SQLQueryString = """
            SELECT id FROM outbox_messages
            WHERE status = 'pending' AND next_attempt_at <= \(bind: now) AND (claimed_until IS NULL OR claimed_until < \(bind: now))
            ORDER BY created_at LIMIT \(literal: limit)
            """
        guard db.isSQLite else {
            return try await db.sql.raw("""
                WITH picked AS MATERIALIZED (\(due) FOR UPDATE SKIP LOCKED)
                UPDATE outbox_messages o SET claimed_until = \(bind: now.addingTimeInterval(Self.lease)), attempts = o.attempts + 1
                FROM picked WHERE o.id = picked.id
                RETURNING o.id, o.recipient, o.subject, o.body, o.attempts, o.unsubscribe_url, o.from_name, o.reply_to, o.calendar
                """).all(decoding: Claimed.self)
        }
        return try await db.sql.raw("""
            UPDATE outbox_messages SET claimed_until = \(bind: now.addingTimeInterval(Self.lease)), attempts = attempts + 1
            WHERE id IN (\(due))
            RETURNING id, recipient, subject, body, attempts, unsubscribe_url, from_name, reply_to, calendar
            """).all(decoding: Claimed.self)
    }

    /// Puts a failed message back in the queue (admin page, `guild outbox retry`), unless its text is gone.
    static func retry(id: UUID, on db: any Database) async throws -> Bool {
        guard let message = try await OutboxMessage.find(id, on: db), message.status == .failed, message.purgedAt == nil else { return false }
        message.status = .pending
        message.attempts = 0
        message.nextAttemptAt = Date()
        try await message.save(on: db)
        return true
    }

    /// For the admin page: failed and waiting messages first (what an admin comes for), newest first, at
    /// most 100, then the 20 latest sent.
    static func recent(on db: any Database) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: db).filter(\.$status != .sent).sort(\.$createdAt, .descending).limit(100).all()
            + OutboxMessage.query(on: db).filter(\.$status == .sent).sort(\.$createdAt, .descending).limit(20).all()
    }

    static func depth(on db: any Database) async throws -> (pending: Int, failed: Int) {
        let pending = try await OutboxMessage.query(on: db).filter(\.$status == .pending).count()
        let failed = try await OutboxMessage.query(on: db).filter(\.$status == .failed).count()
        return (pending, failed)
    }
}

extension OutboxDelivery {
    /// Due mail, every two seconds on every server: each run leases its rows, so servers share them.
    static let job = Job("outbox-delivery", every: .seconds(2), scope: .everyInstance) { app in
        let (sent, failed) = try await app.outboxDelivery().deliverDue()
        return sent + failed > 0 ? "\(sent) sent, \(failed) failed" : nil
    }
}

extension OutboxRetention {
    /// Blanks the text of delivered mail (and of mail failed for a week), hourly.
    static let job = Job("outbox-purge", every: .seconds(3600)) { app in
        let purged = try await purge(on: app.db)
        return purged > 0 ? "\(purged) message(s) blanked" : nil
    }
}
