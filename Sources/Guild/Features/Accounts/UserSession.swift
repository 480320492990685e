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

/// Random tokens for cookies, links and API keys, and the hashes we store in their place.
enum SecureToken {
    static func generate(bytes: Int = 32) -> String {
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max) })
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without stopping at the first difference, so timing reveals nothing.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
