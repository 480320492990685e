import Fluent
import Foundation
import SQLKit
import Vapor

/// `Idempotency-Key` on every API POST (draft-ietf-httpapi-idempotency-key-header): the same key
/// and the same body within 24 hours get the first answer again, with nothing done twice; the same
/// key with another body is 422; while the first request runs, a second is 409. Keys belong to the
/// caller's token (a key of one account means nothing to another). Only successful answers are kept:
/// a refusal changed nothing, so retrying it simply runs again. Answers that carry a secret shown
/// once (a new API token, a trusted contact's link) are never kept, so those requests do not take keys.
struct IdempotencyMiddleware: AsyncMiddleware {
    static let header = "Idempotency-Key"
    static let lifetime: TimeInterval = 86_400
    /// Answers that carry a secret shown once, and posts (which may be anonymous: a kept key would date
    /// one and name its token): no key is kept for these.
    static let keyless: Set<String> = ["/api/v1/tokens", "/api/v1/cover/trusted-contact", "/api/v1/calendar-feed", "/api/v1/posts"]

    static func takesKeys(_ path: String) -> Bool {
        // Compared as the router reads the path: repeated and trailing slashes do not make another route.
        let normalized = "/" + path.split(separator: "/").joined(separator: "/")
        return !keyless.contains(normalized) && !normalized.hasPrefix("/api/v1/posts/")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .POST, let key = request.headers.first(name: Self.header),
              let bearer = request.headers.bearerAuthorization?.token, Self.takesKeys(request.url.path) else {
            return try await next.respond(to: request)
        }
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F }) else {
            throw CommonError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.")
        }
        let db = request.db
        let scope = SecureToken.hash(bearer)
        // A revoked or unknown token gets no stored answer: the handler refuses it as usual.
        struct Known: Decodable { var n: Int }
        guard try await db.sql.raw("SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = \(bind: scope)").first(decoding: Known.self)?.n ?? 0 > 0 else {
            return try await next.respond(to: request)
        }
        var hasher = SHA256()
        hasher.update(data: Data((request.method.rawValue + " " + request.url.string + "\n").utf8))
        if let body = request.body.data { hasher.update(data: Data(body.readableBytesView)) }
        let fingerprint = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let now = Date()
        struct Stored: Decodable { var fingerprint: String; var status: Int?; var content_type: String?; var location: String?; var body: String?; var created_at: Date }
        try await db.sql.raw("DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key) AND created_at < \(bind: now.addingTimeInterval(-Self.lifetime))").run()
        struct Claimed: Decodable { var key: String }
        let claimed = try await db.sql.raw("""
            INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES (\(bind: scope), \(bind: key), \(bind: fingerprint), \(bind: now))
            ON CONFLICT (scope, key) DO NOTHING RETURNING key
            """).first(decoding: Claimed.self) != nil
        if !claimed, let stored = try await db.sql.raw("""
            SELECT fingerprint, status, content_type, location, body, created_at FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)
            """).first(decoding: Stored.self) {
            guard stored.fingerprint == fingerprint else {
                throw CommonError.invalidField(.init(field: Self.header, message: "This Idempotency-Key was used for another request; use a new key for a new request."))
            }
            if let status = stored.status {
                var headers: HTTPHeaders = ["Idempotent-Replayed": "true"]
                if let type = stored.content_type { headers.replaceOrAdd(name: .contentType, value: type) }
                if let location = stored.location { headers.replaceOrAdd(name: .location, value: location) }
                return Response(status: .init(statusCode: status), headers: headers, body: .init(string: stored.body ?? ""))
            }
            // A first request that outlived the request deadline died with its server: this one runs instead.
            let abandoned = now.addingTimeInterval(-TimeInterval(request.application.guildConfig.requestTimeout + 10))
            guard stored.created_at < abandoned else { throw IdempotencyError.inProgress }
            try await db.sql.raw("""
                UPDATE idempotency_keys SET created_at = \(bind: now) WHERE scope = \(bind: scope) AND key = \(bind: key) AND status IS NULL
                """).run()
        }
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            try? await forget(scope, key, on: db)
            throw error
        }
        // The OpenAPI transport answers with a stream: collect it (a created thing's JSON) to keep it and send it on.
        let collected = response.status.code < 400 ? try await response.body.collect(on: request.eventLoop).get() : nil
        if let collected { response.body = .init(buffer: collected) }
        guard let body = collected, body.readableBytes <= 1_048_576 else {
            try await forget(scope, key, on: db)
            return response
        }
        try await db.sql.raw("""
            UPDATE idempotency_keys SET status = \(bind: Int(response.status.code)), content_type = \(bind: response.headers.first(name: .contentType)),
                location = \(bind: response.headers.first(name: .location)), body = \(bind: String(buffer: body))
            WHERE scope = \(bind: scope) AND key = \(bind: key)
            """).run()
        return response
    }

    private func forget(_ scope: String, _ key: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)").run()
    }

    /// Drops keys past their 24 hours (the outbox job, hourly).
    static func sweep(now: Date = Date(), on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: now.addingTimeInterval(-lifetime))").run()
    }
}

enum IdempotencyError: AppError {
    case inProgress
    var status: HTTPResponseStatus { .conflict }
    var code: String { "idempotency_key_in_use" }
    var reason: String { "A request with this Idempotency-Key is still being answered; retry in a moment." }
}

extension IdempotencyMiddleware {
    /// Forgets idempotency keys after 24 hours, hourly.
    static let job = Job("idempotency-sweep", every: .seconds(3600)) { app in
        try await sweep(on: app.db)
        return nil
    }
}
