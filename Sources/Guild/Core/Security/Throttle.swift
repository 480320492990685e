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
    /// A browser that signed in to the account before (a device cookie) has its own count.
    static let signInPerDevice = Throttle(limit: 5, window: 15 * 60)
    /// While the account is locked: one check per address that has no failures.
    static let signInLockedOut = Throttle(limit: 1, window: 15 * 60)
    /// …and three such checks per account, whatever the number of addresses.
    static let signInLockedChecks = Throttle(limit: 3, window: 15 * 60)
    static let resetPerAccount = Throttle(limit: 3, window: 3600)
    static let resetPerIP = Throttle(limit: 10, window: 3600)
    // A whole networking morning may join from the venue's one address.
    static let signUpPerIP = Throttle(limit: 60, window: 3600)

    /// Counts an attempt, or throws 429 with the seconds to wait when the bucket is already full.
    /// Returns the attempt's id, for `forget` when the attempt turns out to be a success.
    @discardableResult
    func consume(_ bucket: String, on db: any Database, now: Date = Date()) async throws -> UUID {
        try await Self.consume([(self, bucket)], on: db, now: now)[0]
    }

    /// Counts one attempt in each bucket, or none of them and throws 429 when any bucket is full;
    /// returns the attempts' ids in the order of `buckets`.
    /// The counts and the inserts are one step (the write lock on SQLite, advisory locks per bucket
    /// on PostgreSQL, taken in one order), so concurrent attempts cannot all pass a check none of
    /// them has recorded yet.
    @discardableResult
    static func consume(_ buckets: [(Throttle, String)], on db: any Database, now: Date = Date()) async throws -> [UUID] {
        let requested = buckets.map { ($0.0, $0.1, UUID()) }
        // One locking order for every caller, so two requests never wait on each other's locks.
        let sorted = requested.sorted { $0.1 < $1.1 }
        let buckets = sorted.map { ($0.0, $0.1) }, ids = sorted.map(\.2), result = requested.map(\.2)
        guard db.isSQLite else {
            // One call to throttle_consume (migration 017): the lock is held for microseconds.
            struct Row: Decodable { var wait: Int }
            let wait = try await db.sql.raw("""
                SELECT throttle_consume(\(bind: buckets.map(\.1)), \(bind: buckets.map(\.0.limit)),
                    \(bind: buckets.map(\.0.window)), \(bind: ids), \(bind: now)) AS wait
                """).first(decoding: Row.self)?.wait ?? 0
            if wait > 0 { throw CommonError.throttled(retryAfter: wait) }
            return result
        }
        return try await db.writeTransaction(reportingGeneration: false) { db in
            struct Row: Decodable { var bucket: String; var count: Int; var oldest: Date? }
            let conditions = buckets.map { throttle, bucket -> SQLQueryString in
                "(bucket = \(bind: bucket) AND occurred_at > \(bind: now.addingTimeInterval(-throttle.window)))"
            }
            let counts = try await db.sql.raw("""
                SELECT bucket, COUNT(*) AS count, MIN(occurred_at) AS oldest FROM throttle_events
                WHERE \(conditions.joined(separator: " OR ")) GROUP BY bucket
                """).all(decoding: Row.self)
            let waits = buckets.compactMap { throttle, bucket -> Int? in
                guard let row = counts.first(where: { $0.bucket == bucket }), row.count >= throttle.limit else { return nil }
                let oldest = row.oldest ?? now
                return max(1, Int(oldest.addingTimeInterval(throttle.window).timeIntervalSince(now).rounded(.up)))
            }
            if let wait = waits.max() { throw CommonError.throttled(retryAfter: wait) }
            let rows = zip(ids, buckets).map { id, bucket -> SQLQueryString in "(\(bind: id), \(bind: bucket.1), \(bind: now))" }
            try await db.sql.raw("INSERT INTO throttle_events (id, bucket, occurred_at) VALUES \(rows.joined(separator: ", "))").run()
            return result
        }
    }

    /// Takes back one counted attempt (a sign-in that succeeded is not held against the address).
    static func forget(_ attempt: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE id = \(bind: attempt)").run()
    }

    /// Attempts counted in a bucket within the last `window` seconds.
    static func count(_ bucket: String, within window: TimeInterval, on db: any Database, now: Date = Date()) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM throttle_events WHERE bucket = \(bind: bucket) AND occurred_at > \(bind: now.addingTimeInterval(-window))
            """).first(decoding: Row.self)?.n ?? 0
    }

    static func clear(_ bucket: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE bucket = \(bind: bucket)").run()
    }

    /// Old events only slow the count down; the outbox job sweeps them hourly.
    static func sweep(on db: any Database, now: Date = Date()) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE occurred_at < \(bind: now.addingTimeInterval(-86400))").run()
    }
}

extension Throttle {
    /// Forgets counted attempts older than the longest window, hourly.
    static let job = Job("throttle-sweep", every: .seconds(3600)) { app in
        try await sweep(on: app.db)
        return nil
    }
}
