import Fluent
import Testing
import VaporTesting

@testable import Guild

/// The details of account access: what each role sees and may change (the full table of routes
/// that take an id is `AccessMatrixTests`).
@Suite("Who may do what")
struct AccessTests {
    @Test("signed-in pages send anonymous visitors to sign in", arguments: ["/settings", "/admin"])
    func anonymousRedirected(path: String) async throws {
        try await withGuild { app, _ in
            let response = try await Browser(app).get(path)
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location)?.hasPrefix("/signin?next=") == true)
        }
    }

    @Test("only admins see the admin page")
    func adminPage() async throws {
        try await withGuild { app, _ in
            let member = try await User.make(email: "m@example.com", on: app)
            let organizer = try await User.make(email: "o@example.com", role: .organizer, on: app)
            let admin = try await User.make(name: "Root Admin", email: "a@example.com", role: .admin, on: app)
            for (user, status) in [(member, HTTPStatus.forbidden), (organizer, .forbidden), (admin, .ok)] {
                let browser = Browser(app)
                try await browser.signIn(email: user.email)
                let response = try await browser.get("/admin")
                #expect(response.status == status, "\(user.role)")
                if status == .ok { #expect(response.body.string.contains("m@example.com")) }
            }
        }
    }

    @Test("revoking a token: anonymous, another member and an admin get nothing; the owner revokes it")
    func revokeToken() async throws {
        try await withGuild { app, _ in
            // setup
            let owner = try await User.make(email: "owner@example.com", on: app)
            let other = try await User.make(email: "other@example.com", on: app)
            let admin = try await User.make(email: "admin@example.com", role: .admin, on: app)
            let (token, _) = try await APIToken.issue(for: owner.requireID(), label: "script", on: app.db)
            let path = "/settings/tokens/\(try token.requireID())/revoke"
            // anonymous
            let anonymous = try await Browser(app).post(path, [:])
            #expect(anonymous.status == .unauthorized)
            // another member and an admin: 404, as if it did not exist
            for user in [other, admin] {
                let browser = Browser(app)
                try await browser.signIn(email: user.email)
                #expect(try await browser.post(path, [:]).status == .notFound)
            }
            #expect(try await app.count("api_tokens") == 1)
            // owner
            let browser = Browser(app)
            try await browser.signIn(email: owner.email)
            #expect(try await browser.post(path, [:]).status == .seeOther)
            #expect(try await app.count("api_tokens") == 0)
        }
    }

    @Test("changing a role: only an admin may, and not their own admin role")
    func changeRole() async throws {
        try await withGuild { app, _ in
            let member = try await User.make(email: "member@example.com", on: app)
            let admin = try await User.make(email: "boss@example.com", role: .admin, on: app)
            let path = "/admin/users/\(try member.requireID())/role"
            #expect(try await Browser(app).post(path, ["role": "admin"]).status == .unauthorized)
            let self_ = Browser(app)
            try await self_.signIn(email: member.email)
            #expect(try await self_.post(path, ["role": "admin"]).status == .forbidden)
            let boss = Browser(app)
            try await boss.signIn(email: admin.email)
            #expect(try await boss.post(path, ["role": "wizard"]).status == .unprocessableEntity)
            #expect(try await boss.post(path, ["role": "organizer"]).status == .seeOther)
            #expect(try await User.find(member.id, on: app.db)?.role == .organizer)
            #expect(try await boss.post("/admin/users/\(try admin.requireID())/role", ["role": "member"]).status == .badRequest)
            #expect(try await boss.post("/admin/users/\(UUID())/role", ["role": "member"]).status == .notFound)
            #expect(try await boss.post("/admin/users/not-a-uuid/role", ["role": "member"]).status == .notFound)
        }
    }

    @Test("creating a token in settings shows it once and stores only its hash")
    func createToken() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "tok@example.com", on: app)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            let page = try await browser.post("/settings/tokens", ["label": "invoicing script"])
            #expect(page.status == .created)
            let clear = try #require(page.body.string.firstMatch(of: /gld_[A-Za-z0-9_-]+/).map { String($0.0) })
            let stored = try #require(try await APIToken.query(on: app.db).first())
            #expect(stored.tokenHash != clear)
            #expect(stored.tokenHash == SecureToken.hash(clear))
            #expect(!(try await browser.get("/settings").body.string.contains(clear)))
            let empty = try await browser.post("/settings/tokens", ["label": "  "])
            #expect(empty.status == .unprocessableEntity)
            #expect(try await app.count("api_tokens") == 1)
        }
    }

    @Test("deleting the account needs the password and removes sessions and tokens")
    func deleteAccount() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "bye@example.com", on: app)
            _ = try await APIToken.issue(for: user.requireID(), label: "x", on: app.db)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            #expect(try await browser.post("/settings/delete", ["password": "nope nope nope"]).status == .unprocessableEntity)
            #expect(try await app.count("users") == 1)
            #expect(try await browser.post("/settings/delete", ["password": testPassword]).status == .seeOther)
            #expect(try await app.count("users") == 0)
            #expect(try await app.count("sessions") == 0)
            #expect(try await app.count("api_tokens") == 0)
        }
    }
}
