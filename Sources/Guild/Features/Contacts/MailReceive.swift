import Fluent
import Formats
import Foundation
import SQLKit
import Validation
import Vapor

/// One message from the mail server (`guild mail receive`, fed by a Postfix alias): when its address
/// carries the reply token of an email a member sent from Guild, and it comes from one of that
/// contact's addresses, the email and its follow-up are answered, a reply is logged on the contact,
/// and the reply is forwarded to the member. From any other address it is forwarded marked as such
/// and answers nothing (anyone who saw the Reply-To could write to it). Without a token nothing
/// happens: a Message-ID in In-Reply-To or References is seen by every recipient and proves nothing.
/// At most `forwardsPerDay` forwards per email a day. Anything else does nothing and says why.
enum MailReceive {
    static let forwardsPerDay = 10
    /// Forwards to one member a day across all their emails: reply tokens never expire, and a member
    /// account can be made for anyone's address.
    static let forwardsPerMemberPerDay = 30
    /// What `guild mail receive` reads from standard input at most; a larger message is ignored.
    static let maxBytes = 10 * 1_048_576

    enum Outcome: Equatable, Sendable, CustomStringConvertible {
        case matched(contactEmail: UUID)
        case notFromContact(contactEmail: UUID)
        case replayed(messageID: String)
        case tooMany(contactEmail: UUID)
        case unknownToken
        case malformedToken
        case noReference
        case tooLarge

        var description: String {
            switch self {
            case .matched(let id): "matched: a reply to contact email \(id); follow-up answered, member told"
            case .notFromContact(let id): "forwarded: a message to contact email \(id)'s reply address from an address that is not the contact's; nothing answered"
            case .replayed(let id): "ignored: message <\(id.prefix(200))> was already received"
            case .tooMany(let id): "ignored: contact email \(id) had \(MailReceive.forwardsPerDay) messages forwarded in the last day"
            case .unknownToken: "ignored: the reply address carries a token Guild never issued (or its email was deleted)"
            case .malformedToken: "ignored: the reply address is not one Guild writes (forged or damaged)"
            case .noReference: "ignored: the message is not addressed to a reply address Guild wrote"
            case .tooLarge: "ignored: the message is larger than \(MailReceive.maxBytes / 1_048_576) MB"
            }
        }
    }

    static func receive(_ raw: Data, recipient: String? = nil, config: AppConfig, on db: any Database) async throws -> Outcome {
        guard raw.count <= maxBytes else { return .tooLarge }
        let message = MailMessage.parse(raw)
        let addresses = ([recipient].compactMap { $0 }.map { $0.lowercased() })
            + ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"].flatMap { MailMessage.addresses(message.all($0).joined(separator: ",")) }
        let tokens = addresses.compactMap(ContactMailRules.token(inAddress:))
        guard let token = tokens.first(where: \.wellFormed) else { return tokens.isEmpty ? .noReference : .malformedToken }
        guard let email = try await db.sql.raw("""
            SELECT id, contact_id, followup_id, recipient, subject, sent_at, answered_at FROM contact_emails
            WHERE token_hash = \(bind: SecureToken.hash(token.token))
            """).first(decoding: ContactMail.SentRecord.self) else { return .unknownToken }
        let receiptID = MailMessage.messageIDs(message.header("Message-ID")).first
            ?? SecureToken.hash(String(decoding: raw.prefix(1_048_576), as: UTF8.self))
        struct Owner: Decodable { var owner_id: UUID; var email: String; var name: String; var contact_name: String }
        guard let owner = try await db.sql.raw("""
            SELECT e.owner_id, \(AccountsSQL.email(of: "e.owner_id")) AS email, \(AccountsSQL.name(of: "e.owner_id")) AS name,
                c.name AS contact_name
            FROM contact_emails e JOIN contacts c ON c.id = e.contact_id WHERE e.id = \(bind: email.id)
            """).first(decoding: Owner.self) else { return .unknownToken }
        let sender = MailMessage.addresses(message.header("From")).first ?? ""
        let contactAddresses = (try await Contacts.handles(of: [email.contact_id], on: db)[email.contact_id] ?? [])
            .filter { $0.kind == "email" }.map { $0.value.lowercased() }
        let fromContact = !sender.isEmpty && contactAddresses.contains(sender.lowercased())
        let snippet = message.text.split(whereSeparator: \.isNewline).first.map { String($0.prefix(160)) } ?? ""
        enum Step { case replayed, tooMany, forwarded }
        let step = try await db.writeTransaction(reportingGeneration: false) { db -> Step in
            try await db.lock("mail-receipt:\(email.id)")
            struct Count: Decodable { var n: Int }
            let recent = try await db.sql.raw("""
                SELECT COUNT(*) AS n FROM mail_receipts WHERE contact_email_id = \(bind: email.id)
                AND received_at > \(bind: Date().addingTimeInterval(-86_400))
                """).first(decoding: Count.self)?.n ?? 0
            struct Inserted: Decodable { var message_id: String }
            guard try await db.sql.raw("""
                INSERT INTO mail_receipts (message_id, contact_email_id, received_at) VALUES (\(bind: String(receiptID.prefix(500))), \(bind: email.id), \(bind: Date()))
                ON CONFLICT (message_id) DO NOTHING RETURNING message_id
                """).first(decoding: Inserted.self) != nil else { return .replayed }
            let toMember = try await db.sql.raw("""
                SELECT COUNT(*) AS n FROM mail_receipts r JOIN contact_emails e ON e.id = r.contact_email_id
                WHERE e.owner_id = \(bind: owner.owner_id) AND r.received_at > \(bind: Date().addingTimeInterval(-86_400))
                """).first(decoding: Count.self)?.n ?? 0
            guard recent < forwardsPerDay, toMember <= forwardsPerMemberPerDay else { return .tooMany }
            let text = String(message.text.prefix(ContactMailRules.maxBody))
            guard fromContact else {
                // Someone who saw the Reply-To: the member hears of it, clearly marked, with no address to answer.
                try await Outbox.enqueue(
                    to: owner.email, subject: "Not from \(owner.contact_name): a message to your email “\(email.subject)”",
                    body: """
                        A message reached the reply address of your email “\(email.subject)” to \(owner.contact_name), \
                        but from an address that is not \(owner.contact_name)'s (\(sender.isEmpty ? "no sender" : String(sender.prefix(200)))). \
                        Be careful with what it asks: Guild did not mark anything answered.

                        \(text)
                        """,
                    for: .account, on: db)
                return .forwarded
            }
            try await ContactMail.answered(email, owner: owner.owner_id,
                                           outcome: "Replied to “\(email.subject)”" + (snippet.isEmpty ? "" : ": \(snippet)"), at: Date(), on: db)
            // The answer went to Guild's address; the member reads it in their own inbox, and answering it answers the contact.
            try await Outbox.enqueue(
                to: owner.email, subject: "Re: \(email.subject)",
                body: """
                    \(owner.contact_name) answered your email “\(email.subject)”:

                    \(text)

                    --
                    The follow-up is marked answered in Guild: \(config.baseURL)/contacts/\(email.contact_id)
                    """,
                for: .account, fromName: owner.contact_name, replyTo: sender, on: db)
            return .forwarded
        }
        switch step {
        case .replayed: return .replayed(messageID: receiptID)
        case .tooMany: return .tooMany(contactEmail: email.id)
        case .forwarded: return fromContact ? .matched(contactEmail: email.id) : .notFromContact(contactEmail: email.id)
        }
    }
}
