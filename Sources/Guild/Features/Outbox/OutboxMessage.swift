import Fluent
import Vapor

/// An email waiting to leave, or one that left or gave up. The delivery job drains this table.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Status: String, Codable, Sendable { case pending, sent, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Enum(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// Notification emails: the one-click unsubscribe address (`List-Unsubscribe`, RFC 8058).
    @OptionalField(key: "unsubscribe_url") var unsubscribeURL: String?
    /// A member's email to a contact: the member's name on the From line, and where the answer goes.
    @OptionalField(key: "from_name") var fromName: String?
    @OptionalField(key: "reply_to") var replyTo: String?
    /// An iCalendar invitation sent as a `text/calendar` alternative and an `invite.ics` attachment.
    @OptionalField(key: "calendar") var calendar: String?
    /// What the email was (`MailPurpose.kind`): kept, with the status and the recipient's domain,
    /// after delivery purges the rest.
    @Field(key: "kind") var kind: String
    @OptionalField(key: "purged_at") var purgedAt: Date?

    init() {}
}

enum Outbox {
    /// Queues a plain-text email, if the mail policy lets it go; the job inside `guild serve` sends it.
    /// Returns whether it was queued (false: dropped by the policy, which logs nothing of the address);
    /// a refusal the member must hear throws a `MailPolicyError`.
    @discardableResult
    static func enqueue(to recipient: String, subject: String, body: String, for purpose: MailPurpose, unsubscribeURL: String? = nil,
                        id: UUID? = nil, fromName: String? = nil, replyTo: String? = nil, calendar: String? = nil,
                        on db: any Database) async throws -> Bool {
        guard case .send(let stopURL) = try await MailPolicy.admit(recipient, for: purpose, on: db) else { return false }
        let message = OutboxMessage()
        message.id = id
        message.kind = purpose.kind
        message.unsubscribeURL = stopURL ?? unsubscribeURL
        message.fromName = fromName
        message.replyTo = replyTo
        message.calendar = calendar
        message.recipient = recipient
        message.subject = subject
        message.body = stopURL.map { body + Self.stopFooter($0) } ?? body
        message.status = .pending
        message.attempts = 0
        message.createdAt = Date()
        message.nextAttemptAt = message.createdAt
        try await message.create(on: db)
        return true
    }

    /// The line every email to someone outside Guild ends with (the same link as its `List-Unsubscribe`).
    static func stopFooter(_ url: String) -> String {
        """


        --
        Sent through Guild, an open referral network, by a member who knows you.
        Don't want any email from Guild again? One click: \(url)
        """
    }
}
