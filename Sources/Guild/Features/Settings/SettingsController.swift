import Fluent
import Validation
import Vapor

/// The signed-in member's settings page: password, API tokens and account deletion (Accounts) with the
/// emails they want (Notifications). It sits above both, so that Accounts depends on neither.
struct SettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("settings")
        settings.get(use: show)
        settings.post("password", use: changePassword)
        settings.post("tokens", use: createToken)
        settings.post("tokens", ":tokenID", "revoke", use: revokeToken)
        settings.post("delete", use: deleteAccount)
    }

    static func page(for user: User, on req: Request) async throws -> SettingsPage {
        let tokens = try await Accounts.tokens(of: user.requireID(), on: req.db)
        var emails: [SettingsPage.NotificationSetting] = []
        for kind in NotificationKind.allCases {
            emails.append(.init(name: "email_\(kind.rawValue)", label: kind.label,
                                on: try await Notifications.emails(try user.requireID(), kind, on: req.db)))
        }
        return SettingsPage(
            layout: req.layout(title: "Settings"), name: user.name, email: user.email, role: user.role.rawValue,
            tokens: try tokens.map {
                .init(id: try $0.requireID().uuidString, label: $0.label, created: $0.createdAt?.shortDisplay ?? "",
                      lastUsed: $0.lastUsedAt?.shortDisplay ?? "never")
            }, notificationEmails: emails)
    }

    func show(req: Request) async throws -> View {
        try await req.view.render("Accounts/settings", Self.page(for: req.requireUser(), on: req))
    }

    func changePassword(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(ChangePasswordForm.self)
        do {
            try await Accounts.changePassword(
                user: user, current: form.current_password ?? "", new: form.new_password ?? "",
                keeping: req.currentSession, revokingTokens: form.revoke_tokens == "true", on: req)
            req.flash(.success, form.revoke_tokens == "true"
                ? "Your password is changed. Other sessions were signed out and every API token is revoked."
                : "Your password is changed. Other sessions were signed out.")
            return req.redirect(to: "/settings", redirectType: .normal)
        } catch let error as any AppError {
            var page = try await Self.page(for: user, on: req)
            page.passwordError = error.reason
            return try await req.view.render("Accounts/settings", page).encodeResponse(for: req).with(error)
        }
    }

    func createToken(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let label = (try req.content.decode(TokenForm.self).label ?? "").trimmingWhitespace()
        guard !label.isEmpty, label.unicodeScalars.count <= APIToken.labelMaxLength else {
            let error = CommonError.invalidField(.init(field: "label", message: "Give the token a label of 1 to 100 characters."))
            var page = try await Self.page(for: user, on: req)
            page.tokenError = error.reason
            return try await req.view.render("Accounts/settings", page).encodeResponse(for: req).with(error)
        }
        let (_, clear) = try await APIToken.issue(for: user.requireID(), label: label, on: req.db)
        var page = try await Self.page(for: user, on: req)
        page.newToken = clear
        return try await req.view.render("Accounts/settings", page).encodeResponse(status: .created, for: req)
    }

    func revokeToken(req: Request) async throws -> Response {
        let user = try req.requireUser()
        // Another member's token id answers 404, exactly like an id that does not exist.
        guard let id = req.parameters.get("tokenID", as: UUID.self),
            let token = try await Accounts.revokeToken(id, of: user.requireID(), on: req.db)
        else { throw CommonError.notFound }
        req.flash(.success, "The token “\(token.label)” is revoked.")
        return req.redirect(to: "/settings", redirectType: .normal)
    }

    func deleteAccount(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(PasswordForm.self)
        do {
            try await Accounts.delete(user, password: form.password ?? "", on: req)
        } catch let error as any AppError {
            var page = try await Self.page(for: user, on: req)
            page.deleteError = error.reason
            return try await req.view.render("Accounts/settings", page).encodeResponse(for: req).with(error)
        }
        let response = req.redirect(to: "/", redirectType: .normal)
        response.cookies[WebSessionMiddleware.sessionCookie] = WebSessionMiddleware.expired(
            secure: req.application.guildConfig.secureCookies)
        req.flash(.info, "Your account is deleted. Thank you for being part of Guild.")
        return response
    }
}

struct SettingsPage: Encodable {
    struct Token: Encodable {
        var id: String
        var label: String
        var created: String
        var lastUsed: String
    }

    var layout: Layout
    var name: String
    var email: String
    var role: String
    var tokens: [Token]
    /// Which notification kinds also come by email.
    var notificationEmails: [NotificationSetting] = []

    struct NotificationSetting: Encodable {
        var name: String
        var label: String
        var on: Bool
    }
    var newToken: String?
    var passwordError: String?
    var tokenError: String?
    var deleteError: String?
}
