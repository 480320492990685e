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

    init() {}
}

enum Outbox {
    /// Queues a plain-text email; the job inside `guild serve` sends it.
    static func enqueue(to recipient: String, subject: String, body: String, unsubscribeURL: String? = nil, id: UUID? = nil,
                        fromName: String? = nil, replyTo: String? = nil, calendar: String? = nil, on db: any Database) async throws {
        let message = OutboxMessage()
        message.id = id
        message.unsubscribeURL = unsubscribeURL
        message.fromName = fromName
        message.replyTo = replyTo
        message.calendar = calendar
        message.recipient = recipient
        message.subject = subject
        message.body = body
        message.status = .pending
        message.attempts = 0
        message.createdAt = Date()
        message.nextAttemptAt = message.createdAt
        try await message.create(on: db)
    }
}
