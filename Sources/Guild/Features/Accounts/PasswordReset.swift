import Fluent
import Vapor

/// A single-use link that lets a person set a new password.
final class PasswordReset: Model, @unchecked Sendable {
    static let schema = "password_resets"

    enum Purpose: String, Codable, Sendable {
        /// "Forgot password": valid for an hour.
        case reset
        /// An account made for someone else (admin, roster import): valid for a week.
        case invitation

        var lifetime: TimeInterval { self == .reset ? 3600 : 7 * 24 * 3600 }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Enum(key: "purpose") var purpose: Purpose
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    /// Stores a new link and returns its clear token for the URL.
    static func issue(for userID: UUID, purpose: Purpose, on db: any Database, now: Date = Date()) async throws -> String {
        let clear = SecureToken.generate()
        let reset = PasswordReset()
        reset.$user.id = userID
        reset.tokenHash = SecureToken.hash(clear)
        reset.purpose = purpose
        reset.createdAt = now
        reset.expiresAt = now.addingTimeInterval(purpose.lifetime)
        try await reset.create(on: db)
        return clear
    }

    /// The link's record if it exists, is unused and has not expired.
    static func findUsable(token: String, on db: any Database, now: Date = Date()) async throws -> PasswordReset? {
        try await PasswordReset.query(on: db)
            .filter(\.$tokenHash == SecureToken.hash(token))
            .filter(\.$usedAt == nil)
            .filter(\.$expiresAt > now)
            .first()
    }
}
