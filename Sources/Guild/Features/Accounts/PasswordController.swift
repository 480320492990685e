import Fluent
import Vapor

/// "Forgot password" and the single-use link that follows it.
struct PasswordController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("password", "forgot", use: forgotForm)
        routes.post("password", "forgot", use: forgot)
        routes.get("password", "reset", ":token", use: resetForm)
        routes.post("password", "reset", ":token", use: reset)
    }

    func forgotForm(req: Request) async throws -> View {
        try await req.view.render("Accounts/forgot", ForgotPasswordPage(layout: req.layout(title: "Forgot password")))
    }

    func forgot(req: Request) async throws -> Response {
        let form = try req.content.decode(EmailForm.self)
        do {
            try await Accounts.requestPasswordReset(email: form.email ?? "", on: req)
            req.flash(.info, "If an account uses that address, a link to reset its password is on its way.")
            return req.redirect(to: "/signin", redirectType: .normal)
        } catch let error as any AppError {
            var page = ForgotPasswordPage(layout: req.layout(title: "Forgot password"), email: form.email ?? "")
            page.show(error)
            return try await req.view.render("Accounts/forgot", page).encodeResponse(for: req).with(error)
        }
    }

    func resetForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let usable = try await PasswordReset.findUsable(token: token, on: req.db) != nil
        var page = ResetPasswordPage(layout: req.layout(title: "Choose a password"), token: token, usable: usable)
        if !usable { page.formError = AccountsError.resetLinkUnusable.reason }
        let response = try await req.view.render("Accounts/reset", page).encodeResponse(for: req)
        if !usable { response.status = .gone }
        // The token is in the URL: keep it out of Referer headers.
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    func reset(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let form = try req.content.decode(PasswordForm.self)
        do {
            _ = try await Accounts.resetPassword(token: token, newPassword: form.password ?? "", on: req)
            req.flash(.success, "Your password is set. Sign in with it now.")
            return req.redirect(to: "/signin", redirectType: .normal)
        } catch let error as any AppError {
            var page = ResetPasswordPage(layout: req.layout(title: "Choose a password"), token: token,
                                         usable: !(error is AccountsError))
            page.show(error)
            return try await req.view.render("Accounts/reset", page).encodeResponse(for: req).with(error)
        }
    }
}
