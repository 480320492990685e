import Fluent
import Foundation
import SQLKit
import Vapor

/// Why Guild sends an email and for whom. Every email states one (`Outbox.enqueue` takes no other),
/// and `MailPolicy` decides from it, so a new feature cannot send without passing the rule.
enum MailPurpose: Sendable {
    /// To an account's own address about that account or what its owner asked for: a password reset,
    /// an invitation to the account an organizer made for them, a digest they turned on, a reply to
    /// their own email forwarded to them.
    case account
    /// A notification to a member; `from` is the member whose action caused it (nil: Guild's schedule).
    case notification(from: UUID?)
    /// On a member's behalf to an address the member vouches for, which need not be a member's.
    case onBehalf(of: UUID, vouch: MailVouch, baseURL: String)

    /// What the outbox row says the email was (kept after its text is purged).
    var kind: String {
        switch self {
        case .account: "account"
        case .notification: "notification"
        case .onBehalf(_, let vouch, _): vouch.rawValue
        }
    }
}

/// Why a member may make Guild write to someone who is not a Guild member.
enum MailVouch: String, Sendable, CaseIterable {
    /// One of the member's own contacts: an email to a contact, a circle invitation.
    case contact
    /// A client on the member's runbook: the cover's message, once per client within a week.
    case runbookClient = "runbook_client"
    /// The trusted contact the member named, who gets the link to switch their cover on.
    case trustedContact = "trusted_contact"
}

/// The one rule for everything Guild emails (README, "What Guild emails, and to whom"):
/// - members get mail about their own account and the notifications they keep on; one member's
///   actions email another member at most `perMemberPair` times a day (the rest stay in the app);
/// - an address that is not a member's gets mail only on a member's behalf, when the member vouches
///   for it, at most once a day per member (a runbook client once a week), never after it said "stop",
///   and within the member's daily budget (`dailyBudget`, `firstWeekBudget` in the account's first
///   week, or what an admin set), counted per UTC day;
/// - every email to a non-member carries a one-click "don't email me again from Guild" (RFC 8058).
/// Counts are taken under a per-sender lock inside the caller's transaction, so concurrent requests
/// cannot overspend a budget, and a refusal rolls back whatever the request wrote with it.
enum MailPolicy {
    static let dailyBudget = 100
    static let firstWeekBudget = 20
    /// Organizers and admins by role (assigned by an admin) invite whole rosters and circles.
    static let staffBudget = 500
    static let firstWeek: TimeInterval = 7 * 86_400
    static let perMemberPair = 10
    static let perAddressWindow: TimeInterval = 86_400
    static let clientMessageWindow: TimeInterval = 7 * 86_400
    /// Send rows are kept a day past the longest window, then swept.
    static let keepSends: TimeInterval = 8 * 86_400

    enum Admission: Equatable {
        /// Send; `stopURL` is the one-click "don't email me again" link the email must carry.
        case send(stopURL: String?)
        /// Do not send, and do not fail the request (a notification past the pair cap, a runbook client already told).
        case drop(String)
    }

    /// Decides whether an email may go, records it when it may, or throws a `MailPolicyError` the
    /// member can act on. Runbook clients and notifications are never refused with an error: cover
    /// must start even when the budget is spent, and a notification is in the app anyway.
    static func admit(_ recipient: String, for purpose: MailPurpose, on db: any Database, now: Date = Date()) async throws -> Admission {
        let hash = addressHash(recipient)
        switch purpose {
        case .account, .notification(from: nil):
            return .send(stopURL: nil)
        case .notification(from: let sender?):
            // An address that said "stop" hears nothing another member's actions cause, account or not.
            if try await isSuppressed(hash, on: db) { return .drop("the address asked Guild not to email it") }
            try await db.lock("mail:\(sender)")
            guard try await sentToday(by: sender, to: hash, now: now, on: db) < perMemberPair else {
                return .drop("\(perMemberPair) emails today from one member's actions to this member")
            }
            try await record(sender: sender, hash: hash, toMember: true, purpose: purpose.kind, now: now, on: db)
            return .send(stopURL: nil)
        case .onBehalf(let sender, let vouch, let baseURL):
            let strict = vouch != .runbookClient
            try await db.lock("mail:\(sender)")
            if try await isMember(recipient, on: db) {
                guard try await sentToday(by: sender, to: hash, now: now, on: db) < perMemberPair else {
                    if strict { throw MailPolicyError.alreadyMailed(retryAfter: secondsToNextDay(now)) }
                    return .drop("the daily cap for this member")
                }
                try await record(sender: sender, hash: hash, toMember: true, purpose: purpose.kind, now: now, on: db)
                return .send(stopURL: nil)
            }
            if try await isSuppressed(hash, on: db) {
                if strict { throw MailPolicyError.suppressed }
                return .drop("the address asked Guild not to email it")
            }
            if let last = try await lastSend(by: sender, to: hash, vouch: vouch, now: now, on: db) {
                if strict { throw MailPolicyError.alreadyMailed(retryAfter: max(60, Int(last.timeIntervalSince(now).rounded(.up)))) }
                return .drop("already emailed within the window")
            }
            let budget = try await budget(of: sender, now: now, on: db)
            guard try await spentToday(by: sender, now: now, on: db) < budget else {
                if strict { throw MailPolicyError.budgetSpent(limit: budget, retryAfter: secondsToNextDay(now)) }
                return .drop("the sender's daily budget is spent")
            }
            try await record(sender: sender, hash: hash, toMember: false, purpose: purpose.kind, now: now, on: db)
            return .send(stopURL: baseURL + "/mail/stop/" + (try await stopToken(for: hash, now: now, on: db)))
        }
    }

    /// How many more non-members `sender` may email today (for a form that sends several at once).
    static func remaining(for sender: UUID, on db: any Database, now: Date = Date()) async throws -> Int {
        max(0, try await budget(of: sender, now: now, on: db) - spentToday(by: sender, now: now, on: db))
    }

    static func secondsToNextDay(_ now: Date) -> Int {
        let next = (floor(now.timeIntervalSince1970 / 86_400) + 1) * 86_400
        return max(1, Int((next - now.timeIntervalSince1970).rounded(.up)))
    }

    static func addressHash(_ address: String) -> String {
        SecureToken.hash(address.trimmingCharacters(in: .whitespaces).lowercased())
    }

    static func day(_ now: Date) -> String { CalendarDay.string(now) }

    // MARK: budgets

    /// The member's budget: what an admin set, else by role and the account's age.
    static func budget(of sender: UUID, now: Date = Date(), on db: any Database) async throws -> Int {
        struct Row: Decodable { var role: String; var created_at: Date?; var daily: Int? }
        guard let row = try await db.sql.raw("""
            SELECT u.role, u.created_at, b.daily FROM users u LEFT JOIN mail_budgets b ON b.user_id = u.id WHERE u.id = \(bind: sender)
            """).first(decoding: Row.self) else { return 0 }
        if let daily = row.daily { return daily }
        if row.role != "member" { return staffBudget }
        return (row.created_at ?? now) > now.addingTimeInterval(-firstWeek) ? firstWeekBudget : dailyBudget
    }

    /// An admin's budget for one account (`guild outbox budget`, `/admin`); nil returns it to the default.
    static func setBudget(_ daily: Int?, for user: UUID, on db: any Database) async throws {
        guard let daily else {
            try await db.sql.raw("DELETE FROM mail_budgets WHERE user_id = \(bind: user)").run()
            return
        }
        try await db.sql.raw("""
            INSERT INTO mail_budgets (user_id, daily, set_at) VALUES (\(bind: user), \(bind: daily), \(bind: Date()))
            ON CONFLICT (user_id) DO UPDATE SET daily = EXCLUDED.daily, set_at = EXCLUDED.set_at
            """).run()
    }

    struct SenderToday: Decodable, Sendable, Encodable {
        var sender_id: UUID
        var name: String
        var email: String
        var non_members: Int
        var members: Int
    }

    /// Who made Guild send how much today (UTC), busiest first: `guild outbox`, `/admin`.
    static func today(now: Date = Date(), limit: Int = 50, on db: any Database) async throws -> [SenderToday] {
        try await db.sql.raw("""
            SELECT s.sender_id, u.name, u.email,
                SUM(CASE WHEN s.to_member THEN 0 ELSE 1 END) AS non_members, SUM(CASE WHEN s.to_member THEN 1 ELSE 0 END) AS members
            FROM mail_sends s JOIN users u ON u.id = s.sender_id WHERE s.day = \(bind: day(now))
            GROUP BY s.sender_id, u.name, u.email ORDER BY non_members DESC, members DESC LIMIT \(literal: limit)
            """).all(decoding: SenderToday.self)
    }

    // MARK: "don't email me again"

    /// Suppresses the address a stop link was made for; false when the link is unknown.
    static func stop(token: String, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var address_hash: String }
        guard (20...100).contains(token.count), let row = try await db.sql.raw("""
            SELECT address_hash FROM mail_stop_tokens WHERE token_hash = \(bind: SecureToken.hash(token))
            """).first(decoding: Row.self) else { return false }
        try await suppress(hash: row.address_hash, on: db)
        return true
    }

    static func isStopToken(_ token: String, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        guard (20...100).contains(token.count) else { return false }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM mail_stop_tokens WHERE token_hash = \(bind: SecureToken.hash(token))
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }

    static func suppress(_ address: String, on db: any Database) async throws {
        try await suppress(hash: addressHash(address), on: db)
    }

    private static func suppress(hash: String, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO mail_suppressions (address_hash, created_at) VALUES (\(bind: hash), \(bind: Date()))
            ON CONFLICT (address_hash) DO NOTHING
            """).run()
    }

    static func isSuppressed(_ hash: String, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM mail_suppressions WHERE address_hash = \(bind: hash)")
            .first(decoding: Row.self)?.n ?? 0 > 0
    }

    /// Drops send rows past every window, and stop links older than a year (the outbox job, hourly).
    static func sweep(now: Date = Date(), on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM mail_sends WHERE created_at < \(bind: now.addingTimeInterval(-keepSends))").run()
        try await db.sql.raw("DELETE FROM mail_stop_tokens WHERE created_at < \(bind: now.addingTimeInterval(-366 * 86_400))").run()
    }

    // MARK: counts

    private static func isMember(_ address: String, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        let normalized = address.trimmingCharacters(in: .whitespaces).lowercased()
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM users WHERE email = \(bind: normalized)")
            .first(decoding: Row.self)?.n ?? 0 > 0
    }

    private static func sentToday(by sender: UUID, to hash: String, now: Date, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM mail_sends WHERE sender_id = \(bind: sender) AND recipient_hash = \(bind: hash)
            AND day = \(bind: day(now))
            """).first(decoding: Row.self)?.n ?? 0
    }

    /// When the last email that still blocks another to this address may be repeated, or nil.
    private static func lastSend(by sender: UUID, to hash: String, vouch: MailVouch, now: Date, on db: any Database) async throws -> Date? {
        struct Row: Decodable { var created_at: Date; var purpose: String }
        let rows = try await db.sql.raw("""
            SELECT created_at, purpose FROM mail_sends WHERE sender_id = \(bind: sender) AND recipient_hash = \(bind: hash)
            AND created_at > \(bind: now.addingTimeInterval(-clientMessageWindow))
            """).all(decoding: Row.self)
        return rows.compactMap { row -> Date? in
            let window = vouch == .runbookClient && row.purpose == MailVouch.runbookClient.rawValue ? clientMessageWindow : perAddressWindow
            let until = row.created_at.addingTimeInterval(window)
            return until > now ? until : nil
        }.max()
    }

    private static func spentToday(by sender: UUID, now: Date, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM mail_sends WHERE sender_id = \(bind: sender) AND day = \(bind: day(now)) AND to_member = \(bind: false)
            """).first(decoding: Row.self)?.n ?? 0
    }

    private static func record(sender: UUID, hash: String, toMember: Bool, purpose: String, now: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO mail_sends (id, sender_id, recipient_hash, to_member, purpose, day, created_at)
            VALUES (\(bind: UUID()), \(bind: sender), \(bind: hash), \(bind: toMember), \(bind: purpose), \(bind: day(now)), \(bind: now))
            """).run()
    }

    static func stopToken(for hash: String, now: Date = Date(), on db: any Database) async throws -> String {
        let token = SecureToken.generate()
        try await db.sql.raw("""
            INSERT INTO mail_stop_tokens (token_hash, address_hash, created_at) VALUES (\(bind: SecureToken.hash(token)), \(bind: hash), \(bind: now))
            """).run()
        return token
    }
}

/// A refusal of the mail policy, in words the member can act on.
enum MailPolicyError: AppError, Equatable {
    case budgetSpent(limit: Int, retryAfter: Int)
    /// Several at once (a circle invitation) that the rest of today's budget cannot hold: none is sent.
    case budgetShort(remaining: Int, asked: Int, retryAfter: Int)
    case alreadyMailed(retryAfter: Int)
    case suppressed
    case notVouched(field: String, address: String)

    var status: HTTPResponseStatus {
        switch self {
        case .budgetSpent, .budgetShort, .alreadyMailed: .tooManyRequests
        case .suppressed: .conflict
        case .notVouched: .unprocessableEntity
        }
    }

    var code: String {
        switch self {
        case .budgetSpent, .budgetShort: "mail_budget_spent"
        case .alreadyMailed: "already_emailed"
        case .suppressed: "address_suppressed"
        case .notVouched: "not_a_contact"
        }
    }

    var reason: String {
        switch self {
        case .budgetSpent(let limit, let seconds):
            "You have emailed \(limit) people outside Guild today, your daily limit. It resets at 00:00 UTC, in \(Self.duration(seconds))."
        case .budgetShort(let remaining, let asked, let seconds):
            "That is \(asked) people outside Guild, and you can email \(remaining) more today; nothing was sent. The limit resets at 00:00 UTC, in \(Self.duration(seconds))."
        case .alreadyMailed(let seconds):
            "Guild has already emailed this address for you recently; the next email to it can go in \(Self.duration(seconds))."
        case .suppressed: "This address asked Guild never to email it again; write from your own mail program."
        case .notVouched(_, let address):
            "“\(address.prefix(80))” is not a Guild member or one of your contacts: Guild emails people outside it only for someone who knows them. Add them to your contacts first."
        }
    }

    var field: String? {
        if case .notVouched(let field, _) = self { return field }
        return nil
    }

    var headers: HTTPHeaders {
        switch self {
        case .budgetSpent(_, let seconds), .budgetShort(_, _, let seconds), .alreadyMailed(let seconds): ["Retry-After": String(seconds)]
        default: [:]
        }
    }

    static func duration(_ seconds: Int) -> String {
        let hours = seconds / 3600, minutes = (seconds % 3600 + 59) / 60
        return hours > 0 ? "\(hours) h \(minutes) min" : "\(max(1, minutes)) min"
    }
}
