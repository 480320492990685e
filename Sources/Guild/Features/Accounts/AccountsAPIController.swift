import Fluent
import OpenAPIRuntime
import Validation
import Vapor

extension GuildAPI {
    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let user = try await Accounts.signUp(name: body.name, email: body.email, password: body.password, on: req)
        return .created(.init(body: .json(try Components.Schemas.Account(user))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let request = try req
        let label = (body.label ?? "").trimmingWhitespace()
        // The API document's limits, enforced here too: a client that ignores them gets a 422, not a 10,000-character label.
        for (field, value, limit) in [("email", body.email, AccountRules.emailMaxLength),
                                      ("password", body.password, AccountRules.passwordMaxLength),
                                      ("label", body.label ?? "", APIToken.labelMaxLength)]
        where value.unicodeScalars.count > limit {
            throw CommonError.invalidField(.init(field: field, message: "\(field) must be at most \(limit) characters."))
        }
        let user = try await Accounts.authenticate(email: body.email, password: body.password, on: request)
        let (token, clear) = try await APIToken.issue(
            for: user.requireID(), label: label.isEmpty ? "API" : label, on: request.db)
        return .created(.init(body: .json(.init(
            id: try token.requireID().uuidString, token: clear, label: token.label, createdAt: token.createdAt ?? Date()))))
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let user = try await APIAuth.requireUser(req)
        return .ok(.init(body: .json(try Components.Schemas.Account(user))))
    }
}

extension Components.Schemas.Account {
    init(_ user: User) throws {
        self.init(
            id: try user.requireID().uuidString, name: user.name, email: user.email,
            role: .init(rawValue: user.role.rawValue)!, createdAt: user.createdAt ?? Date())
    }
}
