import Fluent
import Vapor

struct AdminPage: Encodable {
    struct UserRow: Encodable {
        var id: String
        var name: String
        var email: String
        var role: String
        var joined: String
    }

    /// A queued or failed email as an admin sees it: its kind and the recipient's domain, never the
    /// subject or the address (members' private emails to their contacts pass through here).
    struct MessageRow: Encodable {
        var id: String
        var domain: String
        var kind: String
        var status: String
        var attempts: Int
        var lastError: String
        var created: String
    }

    var layout: Layout
    var users: [UserRow]
    var userCount: Int
    var page: Int
    var previousPage: Int?
    var nextPage: Int?
    var roles: [String]
    var messages: [MessageRow]
    var pending: Int
    var failed: Int
    var maxAttempts: Int
    var senders: [SenderRow]

    /// Who made Guild send how much today, and their budget for non-members.
    struct SenderRow: Encodable {
        var id: String
        var name: String
        var nonMembers: Int
        var members: Int
        var budget: Int
    }
}

/// Users and the outbox, for admins only.
struct AdminController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get(use: index)
        admin.post("users", ":userID", "role", use: setRole)
        admin.post("outbox", ":messageID", "retry", use: retry)
        admin.post("users", ":userID", "mail-budget", use: setMailBudget)
    }

    static func query(page: Int, on req: Request) async throws -> AdminPage {
        let (userCount, users) = try await Accounts.newestFirst(page: page, perPage: pageSize, on: req.db)
        let messages = try await OutboxDelivery.recent(on: req.db)
        let depth = try await OutboxDelivery.depth(on: req.db)
        let senders = try await MailPolicy.today(on: req.db).map {
            AdminPage.SenderRow(id: $0.senderID.uuidString, name: $0.name, nonMembers: $0.nonMembers, members: $0.members, budget: $0.budget)
        }
        return AdminPage(
            layout: req.layout(title: "Administration"),
            users: try users.map {
                .init(id: try $0.requireID().uuidString, name: $0.name, email: $0.email, role: $0.role.rawValue,
                      joined: $0.createdAt?.shortDisplay ?? "")
            },
            userCount: userCount, page: page, previousPage: page > 1 ? page - 1 : nil,
            nextPage: page * pageSize < userCount ? page + 1 : nil,
            roles: Role.allCases.map(\.rawValue),
            messages: try messages.map {
                .init(id: try $0.requireID().uuidString, domain: $0.recipient.split(separator: "@").last.map { "@" + $0 } ?? "", kind: $0.kind,
                      status: $0.status.rawValue, attempts: $0.attempts, lastError: $0.lastError ?? "",
                      created: $0.createdAt.shortDisplay)
            },
            pending: depth.pending, failed: depth.failed, maxAttempts: OutboxDelivery.maxAttempts, senders: senders)
    }

    func index(req: Request) async throws -> View {
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 100_000))
        return try await req.view.render("Admin/index", Self.query(page: page, on: req))
    }

    func setRole(req: Request) async throws -> Response {
        struct Form: Content { var role: String? }
        guard let id = req.parameters.get("userID", as: UUID.self), let user = try await User.find(id, on: req.db) else {
            throw CommonError.notFound
        }
        guard let role = Role(rawValue: try req.content.decode(Form.self).role ?? "") else {
            throw CommonError.invalidField(.init(field: "role", message: "Choose member, organizer or admin."))
        }
        if user.id == req.currentUser?.id, role != .admin {
            throw CommonError.badRequest("You cannot remove your own admin role; ask another admin.")
        }
        try await Accounts.setRole(user, role, on: req.db)
        req.flash(.success, "\(user.name) is now \(role.rawValue).")
        return req.redirect(to: "/admin", redirectType: .normal)
    }

    /// Raises (or lowers) one account's daily budget of emails to people outside Guild; empty: the default.
    func setMailBudget(req: Request) async throws -> Response {
        struct Form: Content { var daily: String? }
        guard let id = req.parameters.get("userID", as: UUID.self), let user = try await User.find(id, on: req.db) else {
            throw CommonError.notFound
        }
        let raw = (try req.content.decode(Form.self).daily ?? "").trimmingCharacters(in: .whitespaces)
        let daily: Int? = raw.isEmpty ? nil : Int(raw)
        guard raw.isEmpty || daily.map({ (0...100_000).contains($0) }) == true else {
            throw CommonError.invalidField(.init(field: "daily", message: "Give a number of emails a day from 0 to 100000, or leave it empty for the default."))
        }
        try await MailPolicy.setBudget(daily, for: id, on: req.db)
        req.flash(.success, "\(user.name) may now email \(try await MailPolicy.budget(of: id, on: req.db)) people outside Guild a day.")
        return req.redirect(to: "/admin", redirectType: .normal)
    }

    func retry(req: Request) async throws -> Response {
        guard let id = req.parameters.get("messageID", as: UUID.self),
            try await OutboxDelivery.retry(id: id, on: req.db)
        else { throw CommonError.notFound }
        req.flash(.success, "The message is queued again.")
        return req.redirect(to: "/admin", redirectType: .normal)
    }
}
