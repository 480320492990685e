import Fluent
import Vapor

/// A signed-in browser. The cookie holds a random token; the table holds only its hash.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "sessions"
    static let lifetime: TimeInterval = 30 * 24 * 3600

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Parent(key: "user_id") var user: User
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(tokenHash: String, userID: UUID, now: Date = Date()) {
        self.id = tokenHash
        self.$user.id = userID
        self.csrfToken = SecureToken.generate()
        self.createdAt = now
        self.expiresAt = now.addingTimeInterval(Self.lifetime)
    }
}
