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

    /// Throws 429 with the seconds to wait when the bucket is full.
    func check(_ bucket: String, on db: any Database, now: Date = Date()) async throws {
        struct Row: Decodable { var count: Int; var oldest: Date? }
        let since = now.addingTimeInterval(-window)
        let row = try await db.sql.raw("""
            SELECT COUNT(*) AS count, MIN(occurred_at) AS oldest FROM throttle_events
            WHERE bucket = \(bind: bucket) AND occurred_at > \(bind: since)
            """).first(decoding: Row.self)
        guard let row, row.count >= limit else { return }
        let oldest = row.oldest ?? now
        let wait = Int((oldest.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up))
        throw CommonError.throttled(retryAfter: max(1, wait))
    }

    func record(_ bucket: String, on db: any Database, now: Date = Date()) async throws {
        try await db.sql.raw("""
            INSERT INTO throttle_events (id, bucket, occurred_at) VALUES (\(bind: UUID()), \(bind: bucket), \(bind: now))
            """).run()
    }

    static func clear(_ bucket: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE bucket = \(bind: bucket)").run()
    }

    /// Old events only slow the count down; the outbox job sweeps them hourly.
    static func sweep(on db: any Database, now: Date = Date()) async throws {
        try await db.sql.raw("DELETE FROM throttle_events WHERE occurred_at < \(bind: now.addingTimeInterval(-86400))").run()
    }
}
