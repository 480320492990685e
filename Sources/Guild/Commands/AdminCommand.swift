import Fluent
import Validation
import Vapor

/// `guild admin create --email E --name N [--role admin]`: makes an account and prints a one-time
/// link to set its password. An existing account with that email gets the role and a new link.
struct AdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create")
        var action: String
        @Option(name: "email", help: "Email address of the account.")
        var email: String?
        @Option(name: "name", help: "Display name of the account.")
        var name: String?
        @Option(name: "role", help: "member, organizer or admin (default admin).")
        var role: String?
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    var help: String { "Creates an admin (or organizer) account and prints a one-time set-password link." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create" else { throw UsageError(description: "Unknown action '\(signature.action)'; use: guild admin create --email E --name N") }
        let app = context.application
        try await app.autoMigrate()
        let email = try AccountRules.email(signature.email ?? "").mapError { UsageError(description: "--email: \($0.message)") }.get()
        let name = try AccountRules.name(signature.name ?? "").mapError { UsageError(description: "--name: \($0.message)") }.get()
        guard let role = Role(rawValue: signature.role ?? "admin") else {
            throw UsageError(description: "--role must be member, organizer or admin")
        }
        let user = try await User.find(email: email, on: app.db) ?? User(name: name, email: email, passwordHash: nil)
        user.role = role
        try await user.save(on: app.db)
        let token = try await PasswordReset.issue(for: user.requireID(), purpose: .invitation, on: app.db)
        context.console.print("\(role.rawValue.capitalized) \(user.name) <\(user.email)> is ready.")
        context.console.print("Set the password within 7 days, once, at:")
        context.console.print("\(app.guildConfig.baseURL)/password/reset/\(token)")
    }
}
