import Fluent
import Vapor

/// A personal API token; the clear value is shown once and only its hash is kept.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    static let labelMaxLength = 100

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "label") var label: String
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}

    init(userID: UUID, label: String, tokenHash: String) {
        self.$user.id = userID
        self.label = label
        self.tokenHash = tokenHash
    }

    /// Creates a token and returns it with its one-time clear value.
    static func issue(for userID: UUID, label: String, on db: any Database) async throws -> (APIToken, String) {
        let clear = "gld_" + SecureToken.generate()
        let token = APIToken(userID: userID, label: label, tokenHash: SecureToken.hash(clear))
        try await token.create(on: db)
        return (token, clear)
    }
}
