import Fluent
import SQLKit
import Vapor

enum Role: String, Codable, Sendable, CaseIterable {
    case member, organizer, admin

    var canOrganize: Bool { self != .member }
}

final class User: Model, Authenticatable, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    /// Nil for accounts created by an import or `guild admin create` until the person sets one.
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Enum(key: "role") var role: Role
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, name: String, email: String, passwordHash: String?, role: Role = .member) {
        self.id = id
        self.name = name
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
    }

    /// Which of these addresses (compared lower-cased) are accounts' emails: the mail policy's "is a member".
    static func existingEmails(_ emails: [String], on db: any Database) async throws -> Set<String> {
        guard !emails.isEmpty else { return [] }
        struct Row: Decodable { var email: String }
        let wanted = emails.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return Set(try await db.sql.raw("SELECT email FROM users WHERE email IN (\(binds: wanted))").all(decoding: Row.self).map(\.email))
    }

    static func find(email: String, on db: any Database) async throws -> User? {
        try await User.query(on: db).filter(\.$email == email).first()
    }
}
