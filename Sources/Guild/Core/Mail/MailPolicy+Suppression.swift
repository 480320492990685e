import Fluent
import Foundation
import SQLKit
import Vapor

/// "Don't email me again from Guild": the one-click links in emails to non-members, and the addresses
/// (hashed) that used one.
extension MailPolicy {

    /// The address (hashed) a stop link was made for, or nil when the link is unknown.
    static func stopTarget(_ token: String, on db: any Database) async throws -> String? {
        struct Row: Decodable { var address_hash: String }
        guard (20...100).contains(token.count) else { return nil }
        return try await db.sql.raw("""
            SELECT address_hash FROM mail_stop_tokens WHERE token_hash = \(bind: SecureToken.hash(token))
            """).first(decoding: Row.self)?.address_hash
    }

    /// Suppresses the address a stop link was made for; false when the link is unknown.
    static func stop(token: String, on db: any Database) async throws -> Bool {
        guard let hash = try await stopTarget(token, on: db) else { return false }
        try await suppress(hash: hash, on: db)
        return true
    }

    static func suppress(_ address: String, on db: any Database) async throws {
        try await suppress(hash: addressHash(address), on: db)
    }

    private static func suppress(hash: String, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO mail_suppressions (address_hash, created_at) VALUES (\(bind: hash), \(bind: Date()))
            ON CONFLICT (address_hash) DO NOTHING
            """).run()
    }

    static func isSuppressed(_ hash: String, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM mail_suppressions WHERE address_hash = \(bind: hash)")
            .first(decoding: Row.self)?.n ?? 0 > 0
    }

    static func stopToken(for hash: String, now: Date = Date(), on db: any Database) async throws -> String {
        let token = SecureToken.generate()
        try await db.sql.raw("""
            INSERT INTO mail_stop_tokens (token_hash, address_hash, created_at) VALUES (\(bind: SecureToken.hash(token)), \(bind: hash), \(bind: now))
            """).run()
        return token
    }
}
