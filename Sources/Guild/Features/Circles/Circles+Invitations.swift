import Fluent
import Foundation
import SQLKit
import Vapor

/// Invitations by email: the mail policy decides who may be written to (see `MailPolicy`).
extension Circles {
    /// Invitation requests an organizer may send a day (each up to 50 addresses).
    static let invitationsPerDay = Throttle(limit: 10, window: 86_400)

    /// Emails an invitation with a link to the circle; joining from it marks the invitation accepted.
    /// Returns how many were sent (an address invited in the last week is not invited again).
    /// Guild writes to an address outside it only for someone who knows it: each must be a member's or
    /// one of the inviter's contacts, and the inviter's daily mail budget must hold them all (nothing is
    /// sent when it cannot), see `MailPolicy`.
    static func invite(_ addresses: [String], to circle: CircleRecord, by inviter: User, baseURL: String, on db: any Database) async throws -> Int {
        var sent = 0
        let inviterID = try inviter.requireID()
        var seen = Set<String>()
        let emails = addresses.filter { seen.insert($0).inserted }
        try await invitationsPerDay.consume("circle-invite:\(inviterID)", on: db)
        let weekAgo = Date().addingTimeInterval(-7 * 86_400)
        let members = try await User.existingEmails(emails, on: db)
        let outside = emails.filter { !members.contains($0) }
        let known = try await Contacts.knownEmails(outside, owner: inviterID, on: db)
        if let stranger = outside.first(where: { !known.contains($0) }) { throw MailPolicyError.notVouched(field: "emails", address: stranger) }
        let remaining = try await MailPolicy.remaining(for: inviterID, on: db)
        if outside.count > remaining {
            throw MailPolicyError.budgetShort(remaining: remaining, asked: outside.count, retryAfter: MailPolicy.secondsToNextDay(Date()))
        }
        for email in emails {
            let token = SecureToken.generate()
            // An address the inviter already emailed today, or that asked Guild to stop, is skipped like one
            // invited this week: the rest of the list still goes (the budget was checked for all above).
            let fresh: Bool
            do {
                fresh = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
                    try await db.lock("circle-invite:\(circle.id):\(email)")
                    struct Row: Decodable { var n: Int }
                    let recent = try await db.sql.raw("""
                        SELECT COUNT(*) AS n FROM circle_invitations WHERE circle_id = \(bind: circle.id) AND email = \(bind: email)
                        AND created_at > \(bind: weekAgo)
                        """).first(decoding: Row.self)?.n ?? 0
                    guard recent == 0 else { return false }
                    try await db.sql.raw("""
                        INSERT INTO circle_invitations (id, circle_id, email, token_hash, invited_by, created_at)
                        VALUES (\(bind: UUID()), \(bind: circle.id), \(bind: email), \(bind: SecureToken.hash(token)), \(bind: inviter.id), \(bind: Date()))
                        """).run()
                    try await Outbox.enqueue(
                        to: email, subject: "\(inviter.name) invites you to \(circle.name) on Guild",
                        body: """
                            \(inviter.name) invites you to join \(circle.name), an open circle on Guild\(circle.online ? " that meets online" : " in \(circle.city)").

                            See the circle, its members and its next events, and join with one click:
                            \(baseURL)/circles/\(circle.slug)?invitation=\(token)

                            Circles on Guild are open to anyone; there is no fee and no one-seat-per-trade rule.
                            If you did not expect this, ignore it: nothing happens unless you join.
                            """,
                        for: .onBehalf(of: inviterID, vouch: .contact, baseURL: baseURL), fromName: inviter.name, on: db)
                    return true
                }
            } catch let refusal as MailPolicyError where refusal == .suppressed || refusal.code == "already_emailed" {
                fresh = false
            }
            if fresh { sent += 1 }
        }
        return sent
    }
}
