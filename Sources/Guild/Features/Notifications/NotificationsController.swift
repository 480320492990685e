import Fluent
import Vapor

/// The notifications page (mark one or all read) and the email settings per kind.
struct NotificationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("notifications", use: index)
        routes.post("notifications", "read-all", use: readAll)
        routes.post("notifications", ":notificationID", "read", use: read)
        routes.post("settings", "notifications", use: settings)
    }

    func index(req: Request) async throws -> View {
        let user = try req.requireUser()
        let items = try await Notifications.list(try user.requireID(), on: req.db)
        return try await req.view.render("Notifications/index", NotificationsPage(
            layout: req.layout(title: "Notifications"),
            items: items.map { .init(id: $0.id, title: $0.title, link: $0.link, when: $0.created_at.shortDisplay + " UTC", unread: $0.read_at == nil) }))
    }

    /// Marks it read and opens what it is about.
    func read(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("notificationID", as: UUID.self),
              try await Notifications.markRead(id, of: try user.requireID(), on: req.db) else { throw CommonError.notFound }
        struct Row: Decodable { var link: String }
        let link = try await req.db.sql.raw("SELECT link FROM notifications WHERE id = \(bind: id)").first(decoding: Row.self)?.link
        return req.redirect(to: link.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/notifications", redirectType: .normal)
    }

    func readAll(req: Request) async throws -> Response {
        let user = try req.requireUser()
        try await Notifications.markAllRead(try user.requireID(), on: req.db)
        req.flash(.success, "All notifications are marked read.")
        return req.redirect(to: "/notifications", redirectType: .normal)
    }

    /// One checkbox per kind: checked sends that kind by email.
    func settings(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        for kind in NotificationKind.allCases {
            let on = (try? req.content.get(String.self, at: "email_\(kind.rawValue)")) == "on"
            try await Notifications.setEmails(userID, kind, on, on: req.db)
        }
        req.flash(.success, "Your email settings are saved.")
        return req.redirect(to: "/settings#notifications", redirectType: .normal)
    }
}

/// One-click unsubscribe (RFC 8058): the link in every notification email. No sign-in and no CSRF
/// token: the token in the address is the credential, and mail clients POST without a page.
struct UnsubscribeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("unsubscribe", ":token", use: confirm)
        routes.post("unsubscribe", ":token", use: unsubscribe)
    }

    func target(_ req: Request) async throws -> (UUID, NotificationKind) {
        guard let token = req.parameters.get("token"), let target = try await Notifications.unsubscribeTarget(token, on: req.db) else {
            throw CommonError.notFound
        }
        return target
    }

    func confirm(req: Request) async throws -> View {
        let (_, kind) = try await target(req)
        return try await req.view.render("Notifications/unsubscribe", UnsubscribePage(
            layout: req.layout(title: "Unsubscribe"), kind: kind.label, token: req.parameters.get("token") ?? "", done: false))
    }

    func unsubscribe(req: Request) async throws -> View {
        let (userID, kind) = try await target(req)
        try await Notifications.unsubscribe(userID, kind, on: req.db)
        return try await req.view.render("Notifications/unsubscribe", UnsubscribePage(
            layout: req.layout(title: "Unsubscribed"), kind: kind.label, token: "", done: true))
    }
}

struct NotificationsPage: Encodable {
    var layout: Layout
    var items: [Item]
    struct Item: Encodable { var id: UUID; var title: String; var link: String; var when: String; var unread: Bool }
}

struct UnsubscribePage: Encodable {
    var layout: Layout
    var kind: String
    var token: String
    var done: Bool
}
