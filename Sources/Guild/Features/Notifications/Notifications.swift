import Fluent
import SQLKit
import Vapor

/// What a member can be told about. Each kind can be emailed or not (settings, or the one-click
/// unsubscribe link in every such email); in-app notifications are always kept.
enum NotificationKind: String, Sendable, CaseIterable, Codable {
    case referralReceived = "referral_received"
    case referralUpdated = "referral_updated"
    case requestAnswered = "request_answered"
    case requestSuggested = "request_suggested"
    case postReplied = "post_replied"
    case answerAccepted = "answer_accepted"
    case knowledgeDigest = "knowledge_digest"
    case followUpDigest = "followup_digest"
    case circleChanged = "circle_changed"
    case eventChanged = "event_changed"
    case seatFreed = "seat_freed"
    case eventReminder = "event_reminder"
    case oneToOne = "one_to_one"
    case cover = "cover"
    case disciplines = "disciplines"
    case disciplineSummary = "discipline_summary"

    /// Words on the settings page and the unsubscribe page.
    var label: String {
        switch self {
        case .referralReceived: "A member refers a client to me"
        case .referralUpdated: "A client I referred is accepted, declined, won or lost"
        case .requestAnswered: "Someone answers a request I posted"
        case .requestSuggested: "Someone suggests me for a request, or picks the member I suggested"
        case .postReplied: "Someone comments on my post or replies to my comment"
        case .answerAccepted: "My answer to a question is accepted"
        case .knowledgeDigest: "A weekly email of the most helpful posts in my niches"
        case .followUpDigest: "A morning email of my follow-ups due today"
        case .circleChanged: "I am made an organizer of a circle, or removed from one"
        case .eventChanged: "An event I said yes or maybe to moves, changes place or is cancelled"
        case .seatFreed: "A seat frees up at an event I am on the waitlist for"
        case .eventReminder: "A reminder the day before an event I said yes to"
        case .oneToOne: "One-to-ones: a member asks for one, a time is picked, moved or cancelled (with a calendar invitation), and the day before"
        case .disciplines: "Disciplines: a member asks me to be their accountability partner, answers me, or cheers me on"
        case .disciplineSummary: "A weekly email of my disciplines and their results (Monday morning)"
        case .cover: "Cover plans: a member asks me to be their backup or answers me, and cover starts or ends for me or for someone I cover"
        }
    }

    /// Off until the member turns it on (a digest is something to ask for); the others are on until turned off.
    var optIn: Bool { self == .knowledgeDigest || self == .followUpDigest || self == .disciplineSummary }
}

struct NotificationRow: Decodable, Sendable, Encodable {
    var id: UUID
    var kind: String
    var title: String
    var link: String
    var created_at: Date
    var read_at: Date?
}

/// In-app notifications and their emails, written in the caller's transaction: a notification
/// exists exactly when what it reports was saved, and its email leaves through the outbox once,
/// whichever instance delivers it. Titles and emails name people and links, never a client's details.
enum Notifications {
    struct Message: Sendable {
        var title: String
        var link: String
        /// The email's text; the link and the unsubscribe line are added.
        var emailBody: String
        /// An iCalendar invitation (RFC 5546, with its METHOD) sent beside the text.
        var calendar: String? = nil
    }

    /// `from` is the member whose action this reports (nil: Guild's own schedule): the mail policy caps
    /// how often one member's actions email another.
    static func notify(_ userID: UUID, _ kind: NotificationKind, _ message: Message, from sender: UUID?, baseURL: String,
                       on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO notifications (id, user_id, kind, title, link, created_at)
            VALUES (\(bind: UUID()), \(bind: userID), \(bind: kind.rawValue), \(bind: message.title), \(bind: message.link), \(bind: Date()))
            """).run()
        guard try await emails(userID, kind, on: db) else { return }
        guard let recipient = try await Accounts.namesAndEmails([userID], on: db)[userID] else { return }
        let unsubscribe = baseURL + "/unsubscribe/" + (try await unsubscribeToken(userID, kind, on: db))
        try await Outbox.enqueue(
            to: recipient.email, subject: message.title,
            body: """
                \(message.emailBody)

                \(baseURL + message.link)

                --
                You get this email because "\(kind.label)" is on in your Guild settings.
                Stop these emails: \(unsubscribe)
                """,
            for: .notification(from: sender == userID ? nil : sender), unsubscribeURL: unsubscribe, calendar: message.calendar, on: db)
    }

    /// Whether this member wants this kind by email (unless they said otherwise: yes, or no for opt-in kinds).
    static func emails(_ userID: UUID, _ kind: NotificationKind, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var email: Bool }
        return try await db.sql.raw("SELECT email FROM notification_settings WHERE user_id = \(bind: userID) AND kind = \(bind: kind.rawValue)")
            .first(decoding: Row.self)?.email ?? !kind.optIn
    }

    static func setEmails(_ userID: UUID, _ kind: NotificationKind, _ on: Bool, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO notification_settings (user_id, kind, email) VALUES (\(bind: userID), \(bind: kind.rawValue), \(bind: on))
            ON CONFLICT (user_id, kind) DO UPDATE SET email = EXCLUDED.email
            """).run()
    }

    /// A fresh random token for one email, kept only as its SHA-256: the database holds no working
    /// link. Any email's token unsubscribes its kind with no sign-in (RFC 8058 one-click); using one
    /// retires every token of that member and kind, and links older than a year are swept.
    static func unsubscribeToken(_ userID: UUID, _ kind: NotificationKind, on db: any Database) async throws -> String {
        let token = SecureToken.generate()
        try await db.sql.raw("""
            INSERT INTO unsubscribe_links (token_hash, user_id, kind, created_at)
            VALUES (\(bind: SecureToken.hash(token)), \(bind: userID), \(bind: kind.rawValue), \(bind: Date()))
            """).run()
        return token
    }

    /// The member and kind a token unsubscribes, or nil.
    static func unsubscribeTarget(_ token: String, on db: any Database) async throws -> (userID: UUID, kind: NotificationKind)? {
        struct Row: Decodable { var user_id: UUID; var kind: String }
        guard (20...200).contains(token.count),
              let row = try await db.sql.raw("SELECT user_id, kind FROM unsubscribe_links WHERE token_hash = \(bind: SecureToken.hash(token))")
                .first(decoding: Row.self),
              let kind = NotificationKind(rawValue: row.kind) else { return nil }
        return (row.user_id, kind)
    }

    /// Turns the kind's emails off and retires its links (a used link is spent).
    static func unsubscribe(_ userID: UUID, _ kind: NotificationKind, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await setEmails(userID, kind, false, on: db)
            try await db.sql.raw("DELETE FROM unsubscribe_links WHERE user_id = \(bind: userID) AND kind = \(bind: kind.rawValue)").run()
        }
    }

    static func sweepUnsubscribeLinks(now: Date = Date(), on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM unsubscribe_links WHERE created_at < \(bind: now.addingTimeInterval(-366 * 86_400))").run()
    }

    static func unreadCount(_ userID: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: userID) AND read_at IS NULL")
            .first(decoding: Row.self)?.n ?? 0
    }

    static func list(_ userID: UUID, limit: Int = 50, on db: any Database) async throws -> [NotificationRow] {
        try await db.sql.raw("""
            SELECT id, kind, title, link, created_at, read_at FROM notifications WHERE user_id = \(bind: userID)
            ORDER BY created_at DESC LIMIT \(literal: limit)
            """).all(decoding: NotificationRow.self)
    }

    /// Marks one of the member's notifications read; false when it is not theirs (or does not exist).
    static func markRead(_ id: UUID, of userID: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var id: UUID }
        return try await db.sql.raw("""
            UPDATE notifications SET read_at = COALESCE(read_at, \(bind: Date())) WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id
            """).first(decoding: Row.self) != nil
    }

    static func markAllRead(_ userID: UUID, on db: any Database) async throws {
        try await db.sql.raw("UPDATE notifications SET read_at = \(bind: Date()) WHERE user_id = \(bind: userID) AND read_at IS NULL").run()
    }
}

extension Notifications {
    /// Forgets expired unsubscribe links, hourly.
    static let job = Job("unsubscribe-links-sweep", every: .seconds(3600)) { app in
        try await sweepUnsubscribeLinks(on: app.db)
        return nil
    }
}

extension Notifications {
    /// A table for another feature's query: `user_id` of every member who said yes to this kind's emails
    /// (for kinds that are off until chosen, such as weekly summaries).
    static func emailSubscribersSQL(_ kind: NotificationKind) -> SQLQueryString {
        "(SELECT user_id FROM notification_settings WHERE kind = \(bind: kind.rawValue) AND email = \(bind: true))"
    }
}
