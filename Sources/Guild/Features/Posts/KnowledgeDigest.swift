import Fluent
import SQLKit
import Vapor

/// The weekly email a member can ask for: the five posts marked most helpful last week (Monday to
/// Monday, UTC) among those tagged with the member's niches, not their own. It goes out from Monday
/// 08:00 UTC. Every server may try; `digest_sends` has one row per member and week, inserted in the
/// transaction that queues the email, so each member gets each week's digest once.
enum KnowledgeDigest {
    static let sendHour = 8
    static let posts = 5

    struct Pick: Decodable, Sendable {
        var id: UUID
        var title: String
        var marks: Int
    }

    /// The ISO week a moment belongs to ("2026-W48") and its Monday, 00:00 UTC.
    static func week(of date: Date) -> (key: String, monday: Date) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        let monday = calendar.date(from: parts) ?? date
        return (String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0), monday)
    }

    /// What this member's digest for the week starting `monday` would hold.
    static func picks(for userID: UUID, weekStarting monday: Date, on db: any Database) async throws -> [Pick] {
        try await db.sql.raw("""
            SELECT p.id, p.title, COUNT(*) AS marks FROM post_helpful h JOIN posts p ON p.id = h.post_id
            WHERE h.created_at >= \(bind: monday.addingTimeInterval(-7 * 86_400)) AND h.created_at < \(bind: monday)
                AND p.hidden_at IS NULL AND (p.author_id IS NULL OR p.author_id <> \(bind: userID))
                AND p.id IN (SELECT pn.post_id FROM post_niches pn WHERE pn.niche_id IN \(Profiles.nicheIDsSQL(of: userID)))
            GROUP BY p.id, p.title ORDER BY marks DESC, p.id LIMIT \(literal: posts)
            """).all(decoding: Pick.self)
    }

    /// Queues this week's digest for every subscriber who has not had it; returns how many emails were
    /// queued. Before Monday 08:00 UTC it does nothing. A subscriber with nothing to read gets no email
    /// (and is not asked again this week).
    @discardableResult
    static func send(now: Date = Date(), baseURL: String, on db: any Database) async throws -> Int {
        let (key, monday) = week(of: now)
        guard now >= monday.addingTimeInterval(TimeInterval(sendHour * 3600)) else { return 0 }
        struct Subscriber: Decodable { var user_id: UUID; var email: String; var name: String }
        let subscribers = try await db.sql.raw("""
            SELECT s.user_id, \(AccountsSQL.email(of: "s.user_id")) AS email, \(AccountsSQL.name(of: "s.user_id")) AS name
            FROM \(Notifications.emailSubscribersSQL(.knowledgeDigest)) s
            WHERE NOT EXISTS (SELECT 1 FROM digest_sends d WHERE d.user_id = s.user_id AND d.week = \(bind: key))
            ORDER BY s.user_id
            """).all(decoding: Subscriber.self)
        var queued = 0
        for subscriber in subscribers {
            let picks = try await picks(for: subscriber.user_id, weekStarting: monday, on: db)
            let sent = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
                struct Claimed: Decodable { var user_id: UUID }
                guard try await db.sql.raw("""
                    INSERT INTO digest_sends (user_id, week, posts, created_at)
                    VALUES (\(bind: subscriber.user_id), \(bind: key), \(bind: picks.count), \(bind: now))
                    ON CONFLICT (user_id, week) DO NOTHING RETURNING user_id
                    """).first(decoding: Claimed.self) != nil, !picks.isEmpty else { return false }
                let unsubscribe = baseURL + "/unsubscribe/"
                    + (try await Notifications.unsubscribeToken(subscriber.user_id, .knowledgeDigest, on: db))
                let list = picks.enumerated().map { index, pick in
                    "\(index + 1). \(pick.title) (\(pick.marks) marked it helpful)\n   \(baseURL)/posts/\(pick.id)"
                }.joined(separator: "\n\n")
                try await Outbox.enqueue(
                    to: subscriber.email, subject: "The most helpful posts in your niches this week",
                    body: """
                        Hello \(subscriber.name),

                        What members found most helpful last week, in your niches:

                        \(list)

                        --
                        You get this email because you asked for the weekly digest in your Guild settings.
                        Stop these emails: \(unsubscribe)
                        """,
                    for: .notification(from: nil), unsubscribeURL: unsubscribe, on: db)
                return true
            }
            if sent { queued += 1 }
        }
        return queued
    }
}

extension KnowledgeDigest {
    /// The weekly digest, looked at every ten minutes: settled once per member and week.
    static let job = Job("knowledge-digest", every: .seconds(600)) { app in
        let queued = try await send(baseURL: app.guildConfig.baseURL, on: app.db)
        return queued > 0 ? "\(queued) emails queued" : nil
    }
}
