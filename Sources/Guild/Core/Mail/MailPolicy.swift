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
            guard try await countToMember(by: sender, hash: hash, purpose: purpose, now: now, on: db) else {
                return .drop("\(perMemberPair) emails today from one member's actions to this member")
            }
            return .send(stopURL: nil)
        case .onBehalf(let sender, let vouch, let baseURL):
            let strict = vouch != .runbookClient
            try await db.lock("mail:\(sender)")
            if try await !User.existingEmails([recipient], on: db).isEmpty {
                guard try await countToMember(by: sender, hash: hash, purpose: purpose, now: now, on: db) else {
                    if strict { throw MailPolicyError.alreadyMailed(retryAfter: secondsToNextDay(now)) }
                    return .drop("the daily cap for this member")
                }
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

    static func secondsToNextDay(_ now: Date) -> Int {
        let next = (floor(now.timeIntervalSince1970 / 86_400) + 1) * 86_400
        return max(1, Int((next - now.timeIntervalSince1970).rounded(.up)))
    }

    static func addressHash(_ address: String) -> String {
        SecureToken.hash(address.trimmingCharacters(in: .whitespaces).lowercased())
    }

    static func day(_ now: Date) -> String { CalendarDay.string(now) }

    /// Drops send rows past every window, and stop links older than a year (the outbox job, hourly).
    static func sweep(now: Date = Date(), on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM mail_sends WHERE created_at < \(bind: now.addingTimeInterval(-keepSends))").run()
        try await db.sql.raw("DELETE FROM mail_stop_tokens WHERE created_at < \(bind: now.addingTimeInterval(-366 * 86_400))").run()
    }

    // MARK: counts

    /// Counts one more email from `sender`'s actions to a member, or false when the pair's cap is reached.
    private static func countToMember(by sender: UUID, hash: String, purpose: MailPurpose, now: Date, on db: any Database) async throws -> Bool {
        guard try await sentToday(by: sender, to: hash, now: now, on: db) < perMemberPair else { return false }
        try await record(sender: sender, hash: hash, toMember: true, purpose: purpose.kind, now: now, on: db)
        return true
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

    static func spentToday(by sender: UUID, now: Date, on db: any Database) async throws -> Int {
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
}

extension MailPolicy {
    /// Forgets the mail counted for budgets and pairs once no rule reads it, hourly.
    static let job = Job("mail-policy-sweep", every: .seconds(3600)) { app in
        try await sweep(on: app.db)
        return nil
    }
}
