import Foundation
import NIOConcurrencyHelpers

/// How often one address may ask for matches: each costs this server 10–25 ms of a core (the need is
/// embedded), so the budget is per server and kept in memory, unlike sign-in throttles, which guard
/// accounts and live in the database. A token bucket: `perMinute` requests, refilled continuously.
final class MatchThrottle: Sendable {
    let perMinute: Int
    private let clock: @Sendable () -> Date
    private let buckets = NIOLockedValueBox<[String: (tokens: Double, updated: Date)]>([:])

    /// `clock` is the time the buckets refill by; tests stop it, so a slow request cannot refill one.
    init(perMinute: Int, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Takes one request from the address's bucket, or throws 429 with the seconds until one is free.
    func consume(_ address: String, now: Date? = nil) throws {
        guard perMinute > 0 else { return }
        let now = now ?? clock()
        let rate = Double(perMinute) / 60
        let wait: Int? = buckets.withLockedValue { buckets in
            // Full buckets carry no information: forget them now and then, so the table stays small.
            if buckets.count > 10_000 {
                buckets = buckets.filter { now.timeIntervalSince($0.value.updated) * rate + $0.value.tokens < Double(perMinute) }
            }
            let current = buckets[address] ?? (Double(perMinute), now)
            let tokens = min(Double(perMinute), current.tokens + now.timeIntervalSince(current.updated) * rate)
            guard tokens >= 1 else {
                buckets[address] = (tokens, now)
                return max(1, Int(((1 - tokens) / rate).rounded(.up)))
            }
            buckets[address] = (tokens - 1, now)
            return nil
        }
        if let wait { throw CommonError.throttled(retryAfter: wait) }
    }
}
