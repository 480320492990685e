import Fluent
import Vapor

/// Loads the signed-in user from the session cookie, hands out a CSRF token and carries flash messages.
struct WebSessionMiddleware: AsyncMiddleware {
    static let sessionCookie = "guild_session"
    static let csrfCookie = "guild_csrf"
    static let flashCookie = "guild_flash"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[Self.sessionCookie]?.string, !token.isEmpty,
            let session = try await UserSession.query(on: request.db)
                .filter(\.$id == SecureToken.hash(token))
                .filter(\.$expiresAt > Date())
                .with(\.$user)
                .first()
        {
            request.storage[CurrentSessionKey.self] = session
            request.storage[CurrentUserKey.self] = session.user
            request.storage[CSRFTokenKey.self] = session.csrfToken
            // The navigation's count of unread notifications, for pages only.
            if request.method == .GET, let userID = session.user.id {
                request.storage[UnreadNotificationsKey.self] = try await Notifications.unreadCount(userID, on: request.db)
            }
        }
        var newAnonymousToken: String?
        if request.storage[CSRFTokenKey.self] == nil {
            if let token = request.cookies[Self.csrfCookie]?.string, token.count >= 32 {
                request.storage[CSRFTokenKey.self] = token
            } else {
                newAnonymousToken = SecureToken.generate()
                request.storage[CSRFTokenKey.self] = newAnonymousToken
            }
        }
        let incomingFlash = request.cookies[Self.flashCookie].flatMap { Self.decodeFlash($0.string) }
        request.storage[IncomingFlashKey.self] = incomingFlash

        let response = try await next.respond(to: request)

        let secure = request.application.guildConfig.secureCookies
        if let token = newAnonymousToken {
            response.cookies[Self.csrfCookie] = Self.cookie(token, secure: secure, maxAge: nil)
        }
        if let flash = request.storage[OutgoingFlashKey.self], let value = Self.encodeFlash(flash) {
            response.cookies[Self.flashCookie] = Self.cookie(value, secure: secure, maxAge: 300)
        } else if incomingFlash != nil {
            response.cookies[Self.flashCookie] = Self.expired(secure: secure)
        }
        return response
    }

    static func cookie(_ value: String, secure: Bool, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    static func expired(secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isSecure: secure,
                          isHTTPOnly: true, sameSite: .lax)
    }

    private static func encodeFlash(_ flash: Flash) -> String? {
        (try? JSONEncoder().encode(flash))?.base64EncodedString()
    }

    private static func decodeFlash(_ value: String) -> Flash? {
        Data(base64Encoded: value).flatMap { try? JSONDecoder().decode(Flash.self, from: $0) }
    }
}

/// Rejects state-changing form posts whose `csrf` field does not match the session's token.
struct CSRFMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(request.method) else {
            return try await next.respond(to: request)
        }
        // The route's own limit, checked before anything parses the body (see BodyPolicy).
        try await request.collectBody()
        let sent = (try? request.content.get(String.self, at: "csrf")) ?? ""
        guard let expected = request.storage[CSRFTokenKey.self], !sent.isEmpty,
            SecureToken.constantTimeEquals(sent, expected)
        else {
            throw Abort(.forbidden, reason: "This form has expired or did not come from Guild. Go back, reload the page and try again.")
        }
        return try await next.respond(to: request)
    }
}

/// Sends anonymous visitors of signed-in pages to the sign-in form, and checks roles.
struct RequireSignInMiddleware: AsyncMiddleware {
    var role: Role?

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.currentUser else {
            if request.method == .GET {
                let next = request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
                return request.redirect(to: "/signin?next=\(next)")
            }
            throw Abort(.unauthorized, reason: "Sign in first.")
        }
        if let role, !(user.role == role || user.role == .admin) {
            throw CommonError.forbidden
        }
        return try await next.respond(to: request)
    }
}
