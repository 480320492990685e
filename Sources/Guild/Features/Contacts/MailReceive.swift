import Fluent
import Formats
import Foundation
import SQLKit
import Validation
import Vapor

/// One message from the mail server (`guild mail receive`, fed by a Postfix alias): when it answers
/// an email a member sent from Guild (its reply token in the address, or Guild's Message-ID in
/// In-Reply-To or References), the email and its follow-up are answered, a reply is logged on the
/// contact, and the reply is forwarded to the member. Anything else does nothing and says why.
enum MailReceive {
    enum Outcome: Equatable, Sendable, CustomStringConvertible {
        case matched(contactEmail: UUID)
        case replayed(messageID: String)
        case unknownToken
        case malformedToken
        case noReference

        var description: String {
            switch self {
            case .matched(let id): "matched: a reply to contact email \(id); follow-up answered, member told"
            case .replayed(let id): "ignored: message <\(id.prefix(200))> was already received"
            case .unknownToken: "ignored: the reply address carries a token Guild never issued (or its email was deleted)"
            case .malformedToken: "ignored: the reply address is not one Guild writes (forged or damaged)"
            case .noReference: "ignored: the message answers no email sent from Guild"
            }
        }
    }

    static func receive(_ raw: Data, recipient: String? = nil, config: AppConfig, on db: any Database) async throws -> Outcome {
        let message = MailMessage.parse(raw)
        let addresses = ([recipient].compactMap { $0 }.map { $0.lowercased() })
            + ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"].flatMap { MailMessage.addresses(message.all($0).joined(separator: ",")) }
        let tokens = addresses.compactMap(ContactMailRules.token(inAddress:))
        var email: ContactMail.SentRecord?
        var outcomeIfNone = Outcome.noReference
        if let token = tokens.first(where: \.wellFormed) {
            email = try await db.sql.raw("""
                SELECT id, contact_id, followup_id, recipient, subject, sent_at, answered_at FROM contact_emails
                WHERE token_hash = \(bind: SecureToken.hash(token.token))
                """).first(decoding: ContactMail.SentRecord.self)
            outcomeIfNone = .unknownToken
        } else if !tokens.isEmpty {
            outcomeIfNone = .malformedToken
        }
        if email == nil, outcomeIfNone == .noReference {
            // A reply to a reply reaches the member's own address; its References still name Guild's message.
            let ids = MailMessage.messageIDs(message.header("In-Reply-To")) + MailMessage.messageIDs(message.header("References")).reversed()
            let guildIDs = ids.compactMap { id -> UUID? in
                guard id.hasSuffix("@guild") else { return nil }
                return UUID(uuidString: String(id.dropLast("@guild".count)))
            }
            if !guildIDs.isEmpty {
                email = try await db.sql.raw("""
                    SELECT id, contact_id, followup_id, recipient, subject, sent_at, answered_at FROM contact_emails
                    WHERE id IN (\(binds: guildIDs)) ORDER BY sent_at DESC LIMIT 1
                    """).first(decoding: ContactMail.SentRecord.self)
                if email == nil { outcomeIfNone = .unknownToken }
            }
        }
        guard let email else { return outcomeIfNone }
        let receiptID = MailMessage.messageIDs(message.header("Message-ID")).first
            ?? SecureToken.hash(String(decoding: raw.prefix(1_048_576), as: UTF8.self))
        struct Owner: Decodable { var owner_id: UUID; var email: String; var name: String; var contact_name: String }
        guard let owner = try await db.sql.raw("""
            SELECT e.owner_id, u.email, u.name, c.name AS contact_name FROM contact_emails e JOIN users u ON u.id = e.owner_id
            JOIN contacts c ON c.id = e.contact_id WHERE e.id = \(bind: email.id)
            """).first(decoding: Owner.self) else { return .unknownToken }
        let sender = MailMessage.addresses(message.header("From")).first ?? ""
        let snippet = message.text.split(whereSeparator: \.isNewline).first.map { String($0.prefix(160)) } ?? ""
        let fresh = try await db.writeTransaction(reportingGeneration: false) { db -> Bool in
            struct Inserted: Decodable { var message_id: String }
            guard try await db.sql.raw("""
                INSERT INTO mail_receipts (message_id, contact_email_id, received_at) VALUES (\(bind: String(receiptID.prefix(500))), \(bind: email.id), \(bind: Date()))
                ON CONFLICT (message_id) DO NOTHING RETURNING message_id
                """).first(decoding: Inserted.self) != nil else { return false }
            try await ContactMail.answered(email, owner: owner.owner_id,
                                           outcome: "Replied to “\(email.subject)”" + (snippet.isEmpty ? "" : ": \(snippet)"), at: Date(), on: db)
            // The answer went to Guild's address; the member reads it in their own inbox, and answering it answers the contact.
            try await Outbox.enqueue(
                to: owner.email, subject: "Re: \(email.subject)",
                body: """
                    \(owner.contact_name) answered your email “\(email.subject)”:

                    \(String(message.text.prefix(ContactMailRules.maxBody)))

                    --
                    The follow-up is marked answered in Guild: \(config.baseURL)/contacts/\(email.contact_id)
                    """,
                fromName: owner.contact_name, replyTo: EmailAddress.isValid(sender) ? sender : nil, on: db)
            return true
        }
        return fresh ? .matched(contactEmail: email.id) : .replayed(messageID: receiptID)
    }
}
