import Fluent
import Formats
import Foundation
import SQLKit
import Validation
import Vapor

enum ContactMailRules {
    static let maxSubject = 200
    static let maxBody = 20_000
    /// Emails a member may send to contacts a day: a follow-up tool, not a mailing list.
    static let perDay = 100

    /// A lower-case domain name with a dot (`reply.example.org`), or nil.
    static func domain(_ raw: String) -> String? {
        let domain = raw.trimmingWhitespace().lowercased()
        guard domain.count <= 200, domain.wholeMatch(of: /[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+/) != nil else { return nil }
        return domain
    }

    /// The token in a reply address (`reply+TOKEN@…`): 32 lower-case hex digits.
    static func token(inAddress address: String) -> (token: String, wellFormed: Bool)? {
        let local = address.split(separator: "@").first.map(String.init)?.lowercased() ?? ""
        guard local.hasPrefix("reply+") else { return nil }
        let token = String(local.dropFirst("reply+".count))
        return (token, token.count == 32 && token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    static func newToken() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
    }
}

/// A member's email to a contact, through the outbox, in the member's name, with a per-message
/// Reply-To (`reply+TOKEN@domain`) whose answer `guild mail receive` reads back. Only the token's
/// SHA-256 is stored, so the database alone cannot forge a reply.
enum ContactMail {
    struct Draft: Sendable, Encodable {
        var to: String = ""
        var subject: String = ""
        var body: String = ""
    }

    struct SentRecord: Decodable, Sendable {
        var id: UUID
        var contact_id: UUID
        var followup_id: UUID?
        var recipient: String
        var subject: String
        var sent_at: Date
        var answered_at: Date?
    }

    @discardableResult
    static func send(_ draft: Draft, contact contactID: UUID?, followUp followUpID: UUID?, from user: User, config: AppConfig,
                     on db: any Database) async throws -> UUID {
        let owner = try user.requireID()
        let contact = try await Contacts.require(contactID, owner: owner, on: db)
        let addresses = (try await Contacts.handles(of: [contact.id], on: db)[contact.id] ?? []).filter { $0.kind == "email" }.map(\.value)
        guard let first = addresses.first else { throw ContactsError.noEmail }
        let to = draft.to.trimmingWhitespace().isEmpty ? first : draft.to.trimmingWhitespace()
        guard addresses.contains(where: { $0.lowercased() == to.lowercased() }) else {
            throw ContactsError.notTheirAddress
        }
        // An internationalised domain goes out as its A-labels (the card keeps "garcía21.example").
        guard let mailTo = EmailAddress.mailForm(to) else {
            throw ContactsError.invalid(field: "to", "Guild cannot send to “\(to.prefix(80))” yet: letters beyond ASCII before the @ need international mail (SMTPUTF8) all the way. Write from your own mail program.")
        }
        // Checked as sent too (the API document's patterns): a tab or a line break is no part of a subject.
        if let problem = TextRules.lineProblem(draft.subject, what: "The subject"), !draft.subject.trimmingWhitespace().isEmpty {
            throw ContactsError.invalid(field: "subject", problem)
        }
        if let problem = TextRules.textProblem(draft.body, what: "The email"), !draft.body.trimmingWhitespace().isEmpty {
            throw ContactsError.invalid(field: "body", problem)
        }
        let subject = draft.subject.trimmingWhitespace()
        guard !subject.isEmpty, draft.subject.unicodeScalars.count <= ContactMailRules.maxSubject else {
            throw ContactsError.invalid(field: "subject", "Give the email a subject of at most \(ContactMailRules.maxSubject) characters.")
        }
        if let problem = TextRules.lineProblem(subject, what: "The subject") { throw ContactsError.invalid(field: "subject", problem) }
        let body = draft.body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty, draft.body.unicodeScalars.count <= ContactMailRules.maxBody else {
            throw ContactsError.invalid(field: "body", "Write the email (at most \(ContactMailRules.maxBody) characters).")
        }
        if let problem = TextRules.textProblem(body, what: "The email") { throw ContactsError.invalid(field: "body", problem) }
        let followUp: FollowUpRecord? = if let followUpID { try await FollowUps.find(followUpID, owner: owner, on: db) } else { nil }
        if let followUp, followUp.contact_id != contact.id { throw ContactsError.otherContactsFollowUp }
        let settings = try await ContactSettings.load(owner, on: db)
        let token = ContactMailRules.newToken()
        let replyTo = "reply+\(token)@\(settings.replyDomain ?? config.effectiveReplyDomain)"
        let id = UUID()
        let now = Date()
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("contact-mail:\(owner)")
            struct Count: Decodable { var n: Int }
            let today = try await db.sql.raw("""
                SELECT COUNT(*) AS n FROM contact_emails WHERE owner_id = \(bind: owner) AND sent_at > \(bind: now.addingTimeInterval(-86_400))
                """).first(decoding: Count.self)?.n ?? 0
            guard today < ContactMailRules.perDay else {
                throw ContactsError.dailyLimit
            }
            try await db.sql.raw("""
                INSERT INTO contact_emails (id, owner_id, contact_id, followup_id, token_hash, recipient, subject, sent_at)
                VALUES (\(bind: id), \(bind: owner), \(bind: contact.id), \(bind: followUp?.id), \(bind: SecureToken.hash(token)), \(bind: to),
                        \(bind: subject), \(bind: now))
                """).run()
            try await Outbox.enqueue(to: mailTo, subject: subject, body: body, for: .onBehalf(of: owner, vouch: .contact, baseURL: config.baseURL),
                                     id: id, fromName: user.name, replyTo: replyTo, on: db)
            if let followUp {
                try await db.sql.raw("UPDATE followups SET emailed_at = COALESCE(emailed_at, \(bind: now)) WHERE id = \(bind: followUp.id)").run()
            }
            try await FollowUps.logTouch(contact: contact.id, followUp: followUp?.id, kind: .email, outcome: "Sent “\(subject)”", at: now,
                                         owner: owner, on: db)
        }
        return id
    }

    static func sent(to contact: UUID, owner: UUID, on db: any Database) async throws -> [SentRecord] {
        try await db.sql.raw("""
            SELECT id, contact_id, followup_id, recipient, subject, sent_at, answered_at FROM contact_emails
            WHERE contact_id = \(bind: contact) AND owner_id = \(bind: owner) ORDER BY sent_at DESC LIMIT 100
            """).all(decoding: SentRecord.self)
    }

    /// "They answered" by hand: the email (and its follow-up) count as answered, and a reply is logged.
    static func markAnswered(_ emailID: UUID?, owner: UUID, on db: any Database) async throws {
        guard let emailID, let email = try await db.sql.raw("""
            SELECT id, contact_id, followup_id, recipient, subject, sent_at, answered_at FROM contact_emails
            WHERE id = \(bind: emailID) AND owner_id = \(bind: owner)
            """).first(decoding: SentRecord.self) else { throw ContactsError.notFound }
        guard email.answered_at == nil else { return }
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await answered(email, owner: owner, outcome: "Answered “\(email.subject)” (marked by hand)", at: Date(), on: db)
        }
    }

    static func answered(_ email: SentRecord, owner: UUID, outcome: String, at now: Date, on db: any Database) async throws {
        try await db.sql.raw("UPDATE contact_emails SET answered_at = COALESCE(answered_at, \(bind: now)) WHERE id = \(bind: email.id)").run()
        if let followUp = email.followup_id { try await FollowUps.markAnswered(followUp, at: now, on: db) }
        try await FollowUps.logTouch(contact: email.contact_id, followUp: email.followup_id, kind: .reply, outcome: outcome, at: now,
                                     owner: owner, on: db)
    }
}
