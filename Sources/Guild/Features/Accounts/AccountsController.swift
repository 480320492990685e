import Fluent
import Vapor

/// Sign up, sign in, sign out.
struct AccountsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("signup", use: signUpForm)
        routes.post("signup", use: signUp)
        routes.get("signin", use: signInForm)
        routes.post("signin", use: signIn)
        routes.post("signout", use: signOut)
    }

    func signUpForm(req: Request) async throws -> View {
        try await req.view.render("Accounts/signup", SignUpPage(layout: req.layout(title: "Join Guild")))
    }

    func signUp(req: Request) async throws -> Response {
        let form = try req.content.decode(SignUpForm.self)
        var page = SignUpPage(layout: req.layout(title: "Join Guild"), name: form.name ?? "", email: form.email ?? "")
        do {
            let user = try await Accounts.signUp(
                name: form.name ?? "", email: form.email ?? "", password: form.password ?? "", on: req)
            req.flash(.success, "Welcome to Guild, \(user.name)!")
            return try await signIn(user, next: "/", on: req)
        } catch let error as any AppError {
            page.show(error)
            return try await req.view.render("Accounts/signup", page).encodeResponse(for: req).with(error)
        }
    }

    func signInForm(req: Request) async throws -> View {
        let next = Self.safeNext(req.query[String.self, at: "next"])
        return try await req.view.render("Accounts/signin", SignInPage(layout: req.layout(title: "Sign in"), next: next))
    }

    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        do {
            let user = try await Accounts.authenticate(email: form.email ?? "", password: form.password ?? "", on: req)
            let response = try await signIn(user, next: Self.safeNext(form.next), on: req)
            try await SignInDevices.remember(try user.requireID(), on: response, req: req)
            return response
        } catch let error as any AppError {
            let page = SignInPage(layout: req.layout(title: "Sign in"), email: form.email ?? "",
                                  next: Self.safeNext(form.next), formError: error.reason)
            return try await req.view.render("Accounts/signin", page).encodeResponse(for: req).with(error)
        }
    }

    func signOut(req: Request) async throws -> Response {
        if let session = req.currentSession { try await Accounts.endSession(session, on: req.db) }
        let response = req.redirect(to: "/", redirectType: .normal)
        response.cookies[WebSessionMiddleware.sessionCookie] = WebSessionMiddleware.expired(
            secure: req.application.guildConfig.secureCookies)
        req.flash(.info, "You are signed out.")
        return response
    }

    /// Starts a fresh session (a new id, never the one from before sign-in) and redirects.
    private func signIn(_ user: User, next: String, on req: Request) async throws -> Response {
        if let old = req.currentSession { try await Accounts.endSession(old, on: req.db) }
        let token = try await Accounts.startSession(for: user, on: req)
        let response = req.redirect(to: Self.safeNext(next), redirectType: .normal)
        let secure = req.application.guildConfig.secureCookies
        response.cookies[WebSessionMiddleware.sessionCookie] = WebSessionMiddleware.cookie(
            token, secure: secure, maxAge: Int(UserSession.lifetime))
        response.cookies[WebSessionMiddleware.csrfCookie] = WebSessionMiddleware.expired(secure: secure)
        return response
    }

    /// Only a path on this site: it must parse as a relative URL with no scheme and no host, and
    /// hold no control or space characters (a tab or line feed would reach the Location header, and
    /// browsers skip tabs: `/<TAB>/evil` is `//evil`), nor in its path once percent-decoded. An
    /// encoded space in the query (`?q=web%20design`) is fine. Anything else is "/".
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), raw.utf8.count <= 2048,
            let url = URLComponents(string: raw), url.scheme == nil, url.host == nil,
            let path = url.percentEncodedPath.removingPercentEncoding
        else { return "/" }
        let unsafe = { (scalar: Unicode.Scalar) in
            scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format || scalar == "\\"
        }
        let query = url.percentEncodedQuery?.removingPercentEncoding ?? ""
        guard !raw.unicodeScalars.contains(where: unsafe), !path.unicodeScalars.contains(where: unsafe),
            !path.hasPrefix("//"), !query.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "/" }
        return raw
    }
}
