import Vapor

/// "Don't email me again from Guild": the one-click link (RFC 8058) in every email to someone who is
/// not a member. No account, no sign-in, no CSRF token: the token in the address is the credential,
/// and mail clients POST to it without a page. The address is suppressed for every sender, stored as
/// a hash. A GET only shows the button, so a mail scanner that follows links suppresses nothing.
struct MailStopController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("mail", "stop", ":token", use: confirm)
        routes.post("mail", "stop", ":token", use: stop)
    }

    func confirm(req: Request) async throws -> View {
        let token = req.parameters.get("token") ?? ""
        guard try await MailPolicy.stopTarget(token, on: req.db) != nil else { throw CommonError.notFound }
        return try await req.view.render("Outbox/stop", MailStopPage(layout: req.layout(title: "Stop emails from Guild"), token: token, done: false))
    }

    func stop(req: Request) async throws -> View {
        guard try await MailPolicy.stop(token: req.parameters.get("token") ?? "", on: req.db) else { throw CommonError.notFound }
        return try await req.view.render("Outbox/stop", MailStopPage(layout: req.layout(title: "No more emails from Guild"), token: "", done: true))
    }
}

struct MailStopPage: Encodable {
    var layout: Layout
    var token: String
    var done: Bool
}
