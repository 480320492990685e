import Crypto
import Fluent
import Foundation
import SQLKit

/// How many anonymous posts the Guild, and each account, may make a day, counted so that nothing
/// links a post to its author: a counter per UTC day for the Guild, and one per account under
/// HMAC(day's random key, account), both holding only the day and a number. Yesterday's key and
/// counters are deleted, so not even the hashes can be recomputed afterwards.
enum AnonymousPostLimit {
    static let perGuild = 50
    static let perAccount = 3

    /// Counts one anonymous post, or throws 429 (with the seconds until the next UTC day) when the
    /// Guild's or the account's count for today is full. Inside the post's write transaction.
    static func consume(_ account: UUID, now: Date, on db: any Database) async throws {
        let day = CalendarDay.string(now)
        try await db.lock("anonymous-posts:\(day)")
        try await db.sql.raw("DELETE FROM anonymous_post_keys WHERE day <> \(bind: day)").run()
        try await db.sql.raw("DELETE FROM anonymous_post_counts WHERE day <> \(bind: day)").run()
        try await db.sql.raw("""
            INSERT INTO anonymous_post_keys (day, key) VALUES (\(bind: day), \(bind: SecureToken.generate())) ON CONFLICT (day) DO NOTHING
            """).run()
        struct Key: Decodable { var key: String }
        guard let key = try await db.sql.raw("SELECT key FROM anonymous_post_keys WHERE day = \(bind: day)").first(decoding: Key.self)?.key else {
            throw CommonError.throttled(retryAfter: 60)
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(account.uuidString.utf8), using: SymmetricKey(data: Data(key.utf8)))
        let mine = "account:" + Data(mac).map { String(format: "%02x", $0) }.joined()
        struct Count: Decodable { var bucket: String; var n: Int }
        let counts = try await db.sql.raw("""
            SELECT bucket, n FROM anonymous_post_counts WHERE day = \(bind: day) AND bucket IN (\(binds: ["guild", mine]))
            """).all(decoding: Count.self)
        let guild = counts.first { $0.bucket == "guild" }?.n ?? 0, own = counts.first { $0.bucket == mine }?.n ?? 0
        guard guild < perGuild, own < perAccount else { throw CommonError.throttled(retryAfter: MailPolicy.secondsToNextDay(now)) }
        for bucket in ["guild", mine] {
            try await db.sql.raw("""
                INSERT INTO anonymous_post_counts (day, bucket, n) VALUES (\(bind: day), \(bind: bucket), 1)
                ON CONFLICT (day, bucket) DO UPDATE SET n = anonymous_post_counts.n + 1
                """).run()
        }
    }
}
