import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

struct TrustedContactRow: Decodable, Sendable {
    var id: UUID
    var member_id: UUID
    var name: String
    var email: String
    var created_at: Date
    var expires_at: Date
    var used_at: Date?
    var revoked_at: Date?

    var isUsable: Bool { used_at == nil && revoked_at == nil && expires_at > Date() }
}

/// A trusted contact who is not a member (a partner, a sibling) holds a personal link that switches
/// the member's cover on when the member cannot. The link is emailed to them once when the member
/// names them and shown to the member once; it works one time, expires after a year, is throttled per
/// address, and every opening and use is logged (the member is told of a use).
enum CoverTrustedContacts {
    static let lifetime: TimeInterval = 365 * 86_400
    /// Openings and uses of activation links from one address, per hour.
    static let throttle = Throttle(limit: 10, window: 3600)
    /// Each naming emails someone outside Guild: a few a day are plenty, and no more can be sent through it.
    static let namingThrottle = Throttle(limit: 5, window: 86_400)

    static func current(_ member: UUID, on db: any Database) async throws -> TrustedContactRow? {
        try await db.sql.raw("""
            SELECT id, member_id, name, email, created_at, expires_at, used_at, revoked_at FROM cover_trusted_contacts
            WHERE member_id = \(bind: member) AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1
            """).first(decoding: TrustedContactRow.self)
    }

    /// Names (or renames) the trusted contact with a new link; any earlier link stops working. Returns the link.
    static func name(_ member: UUID, name raw: String, email rawEmail: String, baseURL: String, on db: any Database) async throws -> String {
        if let problem = TextRules.controlProblem(raw, what: "The name") { throw CoverPlansError.invalid(field: "name", problem) }
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty, raw.unicodeScalars.count <= 120 else {
            throw CoverPlansError.invalid(field: "name", "Give your trusted contact's name, up to 120 characters.")
        }
        if let problem = TextRules.lineProblem(name, what: "The name") { throw CoverPlansError.invalid(field: "name", problem) }
        let email = rawEmail.trimmingWhitespace().lowercased()
        guard email.unicodeScalars.count <= 254, EmailAddress.isValid(email) else {
            throw CoverPlansError.invalid(field: "email", "Enter your trusted contact's email address: the link goes there.")
        }
        try await namingThrottle.consume("cover-contact:\(member)", on: db)
        let token = SecureToken.generate()
        let link = "\(baseURL)/cover/activate/\(token)"
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("cover-contact:\(member)")
            let now = Date()
            try await db.sql.raw("""
                UPDATE cover_trusted_contacts SET revoked_at = \(bind: now) WHERE member_id = \(bind: member) AND revoked_at IS NULL
                """).run()
            try await db.sql.raw("""
                INSERT INTO cover_trusted_contacts (id, member_id, name, email, token_hash, created_at, expires_at)
                VALUES (\(bind: UUID()), \(bind: member), \(bind: name), \(bind: email), \(bind: SecureToken.hash(token)),
                        \(bind: now), \(bind: now.addingTimeInterval(lifetime)))
                """).run()
            let memberName = try await People.byID([member], on: db)[member]?.name ?? "A Guild member"
            try await CoverActivations.log(member, activation: nil, actor: member, label: memberName, kind: "contact_named",
                                           detail: "Named \(name) as trusted contact; a new link was emailed to them", on: db)
            try await Outbox.enqueue(
                to: email, subject: "\(memberName) trusts you with their cover plan",
                body: """
                    Dear \(name),

                    \(memberName) named you as their trusted contact on Guild, the referral network they belong to.

                    If they ever fall ill or something happens and they cannot say so themselves, open this link. It tells
                    their backups (colleagues who agreed to step in) to do the absolute minimum for their clients until they are back:

                    \(link)

                    Keep this email. The link works once, until \(CalendarDay.string(now.addingTimeInterval(lifetime))), and \(memberName)
                    is told when it is used. You do not need an account. If you did not expect this, you can ignore it.
                    """,
                for: .onBehalf(of: member, vouch: .trustedContact, baseURL: baseURL), on: db)
        }
        return link
    }

    static func revoke(_ member: UUID, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE cover_trusted_contacts SET revoked_at = \(bind: Date()) WHERE member_id = \(bind: member) AND revoked_at IS NULL
            """).run()
    }

    /// The contact a link's token belongs to, if it still works.
    static func usable(token: String, on db: any Database) async throws -> TrustedContactRow? {
        guard (20...100).contains(token.count) else { return nil }
        let row = try await db.sql.raw("""
            SELECT id, member_id, name, email, created_at, expires_at, used_at, revoked_at FROM cover_trusted_contacts
            WHERE token_hash = \(bind: SecureToken.hash(token))
            """).first(decoding: TrustedContactRow.self)
        return row?.isUsable == true ? row : nil
    }

    /// Logs that the link was opened (mail scanners open links too, so the member is told only of a use).
    static func opened(_ contact: TrustedContactRow, on db: any Database) async throws {
        try await CoverActivations.log(contact.member_id, activation: nil, actor: nil, label: contact.name, kind: "link_opened",
                                       detail: "Opened the activation link", on: db)
    }

    /// Uses the link: cover starts, the link is spent.
    static func activate(token: String, expectedBack: Date?, note: String, baseURL: String, cipher: RunbookCipher?,
                         on db: any Database) async throws -> (member: UUID, activation: UUID) {
        // One statement claims the link, so of two uses at once exactly one finds it unused.
        guard (20...100).contains(token.count), let result = try await db.sql.raw("""
            UPDATE cover_trusted_contacts SET used_at = \(bind: Date())
            WHERE token_hash = \(bind: SecureToken.hash(token)) AND used_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: Date())
            RETURNING id, member_id, name, email, created_at, expires_at, used_at, revoked_at
            """).first(decoding: TrustedContactRow.self) else { throw CoverPlansError.linkNotValid }
        do {
            let activation = try await CoverActivations.start(
                result.member_id, by: .trustedContact(id: result.id, name: result.name), expectedBack: expectedBack, note: note,
                baseURL: baseURL, cipher: cipher, on: db)
            return (result.member_id, activation)
        } catch {
            // Nothing happened (bad note, or cover was already on): the link keeps working.
            try await db.sql.raw("UPDATE cover_trusted_contacts SET used_at = NULL WHERE id = \(bind: result.id)").run()
            throw error
        }
    }
}
