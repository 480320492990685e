import Fluent
import SQLKit
import Vapor

/// Counts attempts per bucket (an IP address or an account) in the database, so that every
/// `guild serve` instance sees the same counts.
struct Throttle: Sendable {
    var limit: Int
    var window: TimeInterval

    static let signInPerAccount = Throttle(limit: 5, window: 15 * 60)
    static let signInPerIP = Throttle(limit: 20, window: 15 * 60)
    static let resetPerAccount = Throttle(limit: 3, window: 3600)
    static let resetPerIP = Throttle(limit: 10, window: 3600)
    // A whole networking morning may join from the venue's one address.
    static let signUpPerIP = Throttle(limit: 60, window: 3600)

    /// Counts an attempt, or throws 429 with the seconds to wait when the bucket is already full.
    /// The count and the insert are one step (the write lock on SQLite, an advisory lock per bucket
    /// on PostgreSQL), so concurrent attempts cannot all pass a check none of them has recorded yet.
    /// Returns the attempt's id, for `forget` when the attempt turns out to be a success.
    @discardableResult
    func consume(_ bucket: String, on db: any Database, now: Date = Date()) async throws -> UUID {
        let window = self.window, limit = self.limit, id = UUID()
        return try await db.writeTransaction { db in
            try await db.lock("throttle:" + bucket)
            struct Row: Decodable { var count: Int; var oldest: Date? }
            let since = now.addingTimeInterval(-window)
            let row = try await db.sql.raw("""
                SELECT COUNT(*) AS count, MIN(occurred_at) AS oldest FROM throttle_events
                WHERE bucket = \(bind: bucket) AND occurred_at > \(bind: since)
                """).first(decoding: Row.self)
            if let row, row.count >= limit {
                let oldest = row.oldest ?? now
                let wait = Int((oldest.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up))
                throw CommonError.throttled(retryAfter: max(1, wait))
            }
            try await db.sql.raw("""
                INSERT INTO throttle_events (id, bucket, occurred_at) VALUES (\(bind: id), \(bind: bucket), \(bind: now))
                """).run()
            return id
        }
    }

    /// Takes back one counted attempt (a sign-in that succeeded is not held against the address).
    static func forget(_ attempt: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE id = \(bind: attempt)").run()
    }

    static func clear(_ bucket: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE bucket = \(bind: bucket)").run()
    }

    /// Old events only slow the count down; the outbox job sweeps them hourly.
    static func sweep(on db: any Database, now: Date = Date()) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE occurred_at < \(bind: now.addingTimeInterval(-86400))").run()
    }
}
