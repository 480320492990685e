import Fluent
import Foundation
import SQLKit
import Vapor

/// OWASP's "device cookies": after a good password, the browser gets a random token (HttpOnly,
/// SameSite, a year) that this account recognises. Wrong passwords from anywhere else still lock
/// strangers out, but never the browsers the owner used before.
enum SignInDevices {
    static let cookie = "guild_device"
    static let lifetime: TimeInterval = 365 * 86_400
    /// Devices remembered per account; the oldest are forgotten first.
    static let perAccount = 20

    /// The device token's hash when this request's cookie is one this account issued, else nil.
    static func trusted(_ req: Request, for user: UUID) async throws -> String? {
        guard let token = req.cookies[cookie]?.string, (20...100).contains(token.count) else { return nil }
        let hash = SecureToken.hash(token)
        struct Row: Decodable { var n: Int }
        let known = try await req.db.sql.raw("""
            SELECT COUNT(*) AS n FROM sign_in_devices WHERE token_hash = \(bind: hash) AND user_id = \(bind: user)
            AND created_at > \(bind: Date().addingTimeInterval(-lifetime))
            """).first(decoding: Row.self)?.n ?? 0
        return known > 0 ? hash : nil
    }

    static func forget(_ user: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM sign_in_devices WHERE user_id = \(bind: user)").run()
    }

    /// Remembers this browser for the account (a fresh token each sign-in) and sets its cookie.
    static func remember(_ user: UUID, on response: Response, req: Request) async throws {
        let token = SecureToken.generate()
        let old = req.cookies[cookie]?.string
        try await req.db.writeTransaction(reportingGeneration: false) { db in
            if let old { try await db.sql.raw("DELETE FROM sign_in_devices WHERE token_hash = \(bind: SecureToken.hash(old))").run() }
            try await db.sql.raw("""
                INSERT INTO sign_in_devices (token_hash, user_id, created_at) VALUES (\(bind: SecureToken.hash(token)), \(bind: user), \(bind: Date()))
                """).run()
            try await db.sql.raw("""
                DELETE FROM sign_in_devices WHERE user_id = \(bind: user) AND token_hash NOT IN (
                    SELECT token_hash FROM sign_in_devices WHERE user_id = \(bind: user) ORDER BY created_at DESC LIMIT \(literal: perAccount))
                """).run()
        }
        response.cookies[cookie] = WebSessionMiddleware.cookie(token, secure: req.application.guildConfig.secureCookies, maxAge: Int(lifetime))
    }
}
