import Fluent
import Formats
import Foundation
import SQLKit
import Vapor

/// A member's personal calendar feed: every event they said yes to and every confirmed one-to-one,
/// at a secret address a calendar app subscribes to without signing in. Only the token's hash is
/// kept, so the address is shown once; making a new one (or turning it off) kills the old one.
enum CalendarFeeds {
    /// How far back the feed reaches: calendars keep what they already have.
    static let history: TimeInterval = 90 * 86_400

    /// A new secret address for the member, replacing any earlier one.
    static func reset(_ user: UUID, baseURL: String, on db: any Database) async throws -> String {
        let token = SecureToken.generate()
        try await db.sql.raw("""
            INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (\(bind: user), \(bind: SecureToken.hash(token)), \(bind: Date()))
            ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at
            """).run()
        return url(token, baseURL: baseURL)
    }

    static func url(_ token: String, baseURL: String) -> String { "\(baseURL)/calendar/\(token).ics" }

    static func revoke(_ user: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM calendar_feeds WHERE user_id = \(bind: user)").run()
    }

    /// When the member's current address was made, or nil when they have none.
    static func created(_ user: UUID, on db: any Database) async throws -> Date? {
        struct Row: Decodable { var created_at: Date }
        return try await db.sql.raw("SELECT created_at FROM calendar_feeds WHERE user_id = \(bind: user)").first(decoding: Row.self)?.created_at
    }

    /// The member a token belongs to, or nil for an unknown or revoked one.
    static func owner(of token: String, on db: any Database) async throws -> UUID? {
        struct Row: Decodable { var user_id: UUID }
        guard (20...200).contains(token.count), token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        return try await db.sql.raw("SELECT user_id FROM calendar_feeds WHERE token_hash = \(bind: SecureToken.hash(token))")
            .first(decoding: Row.self)?.user_id
    }

    /// The feed: yes-answers with a seat (each date on its own, cancelled ones marked so calendars drop them)
    /// and confirmed or cancelled one-to-ones, from 90 days back.
    static func feed(for user: UUID, now: Date = Date(), baseURL: String, on db: any Database) async throws -> String {
        let since = now.addingTimeInterval(-history)
        let events = try await Events.seated(user, endingAfter: since, on: db)
        let meetings = try await OneToOnes.inCalendar(of: user, endingAfter: since, on: db)
        let people = try await People.byID(meetings.flatMap { [$0.proposer_id, $0.invitee_id] }, on: db)
        let circleNames = try await Circles.names(Array(Set(events.compactMap(\.circle_id))), on: db)
        var entries = events.map {
            // Every event here is one the member is seated at: the online link is theirs.
            EventCalendar.calendarEvent($0, asSeries: false, cancelledDates: [], circleName: $0.circle_id.flatMap { circleNames[$0] },
                                        showOnline: true, baseURL: baseURL)
        }
        entries += meetings.compactMap { OneToOnes.calendarEvent($0, people: people, baseURL: baseURL) }
        entries.sort { $0.start < $1.start }
        return ICalendar.write(entries, method: .publish, name: "Guild")
    }
}
