import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Passwords: change, forgot, reset")
struct PasswordTests {
    @Test("changing the password keeps this session and ends the others")
    func changeEndsOtherSessions() async throws {
        try await withGuild { app, _ in
            // setup
            let user = try await User.make(email: "change@example.com", on: app)
            let laptop = Browser(app), phone = Browser(app)
            try await laptop.signIn(email: user.email)
            try await phone.signIn(email: user.email)
            // act
            let response = try await laptop.post(
                "/settings/password", ["current_password": testPassword, "new_password": "a much better password"])
            // assert
            #expect(response.status == .seeOther)
            #expect(try await laptop.get("/settings").status == .ok)
            #expect(try await phone.get("/settings").status == .seeOther)
            #expect(try await Browser(app).signIn(email: user.email, password: "a much better password").status == .seeOther)
        }
    }

    @Test("changing the password revokes the API tokens only when asked")
    func changeRevokesTokensWhenAsked() async throws {
        try await withGuild { app, _ in
            // setup
            let user = try await User.make(email: "tokens@example.com", on: app)
            _ = try await APIToken.issue(for: user.requireID(), label: "backup script", on: app.db)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            // act, assert: kept
            try await browser.post("/settings/password", ["current_password": testPassword, "new_password": "second password here"])
            #expect(try await app.count("api_tokens") == 1)
            // act, assert: revoked
            let revoked = try await browser.post(
                "/settings/password",
                ["current_password": "second password here", "new_password": "third password here", "revoke_tokens": "true"])
            #expect(revoked.status == .seeOther)
            #expect(try await app.count("api_tokens") == 0)
            #expect(try await browser.get("/settings").body.string.contains("every API token is revoked"))
        }
    }

    @Test("a wrong current password changes nothing")
    func changeNeedsCurrentPassword() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "keep@example.com", on: app)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            let response = try await browser.post(
                "/settings/password", ["current_password": "not my password", "new_password": "a much better password"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("current password is wrong"))
            #expect(try await Browser(app).signIn(email: user.email).status == .seeOther)
        }
    }

    @Test("a reset link works once, within the hour, and signs out every session")
    func resetLinkSingleUse() async throws {
        try await withGuild { app, mail in
            // setup
            let user = try await User.make(email: "forgot@example.com", on: app)
            let (_, oldToken) = try await APIToken.issue(for: user.requireID(), label: "maybe stolen", on: app.db)
            let oldSession = Browser(app)
            try await oldSession.signIn(email: user.email)
            let browser = Browser(app)
            // act
            let asked = try await browser.post("/password/forgot", ["email": "Forgot@Example.com"])
            try await app.outboxDelivery().deliverDue()
            // assert
            #expect(asked.status == .seeOther)
            let email = try #require(mail.sent.first)
            #expect(email.to == "forgot@example.com")
            let link = try #require(email.body.split(separator: "\n").first { $0.contains("/password/reset/") })
            let path = String(link.trimmingCharacters(in: .whitespaces).dropFirst("http://localhost:8080".count))
            #expect(try await browser.get(path).status == .ok)
            let reset = try await browser.post(path, ["password": "brand new password"])
            #expect(reset.status == .seeOther)
            #expect(try await oldSession.get("/settings").status == .seeOther)
            let me = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(oldToken)"])
            #expect(me.status == .unauthorized)
            #expect(try await app.count("api_tokens") == 0)
            #expect(try await Browser(app).signIn(email: user.email, password: "brand new password").status == .seeOther)
            // the same link again
            #expect(try await browser.get(path).status == .gone)
            let reuse = try await browser.post(path, ["password": "another new password"])
            #expect(reuse.status == .gone)
            #expect(try await Browser(app).signIn(email: user.email, password: "another new password").status == .unauthorized)
        }
    }

    @Test("an expired reset link is refused")
    func resetLinkExpires() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "late@example.com", on: app)
            let token = try await PasswordReset.issue(
                for: user.requireID(), purpose: .reset, on: app.db, now: Date().addingTimeInterval(-3601))
            let browser = Browser(app)
            #expect(try await browser.get("/password/reset/\(token)").status == .gone)
            let response = try await browser.post("/password/reset/\(token)", ["password": "brand new password"])
            #expect(response.status == .gone)
            #expect(response.body.string.contains("expired or was already used"))
        }
    }

    @Test("asking for an unknown address looks the same and sends nothing")
    func forgotUnknownAddress() async throws {
        try await withGuild { app, mail in
            let response = try await Browser(app).post("/password/forgot", ["email": "ghost@example.com"])
            try await app.outboxDelivery().deliverDue()
            #expect(response.status == .seeOther)
            #expect(mail.sent.isEmpty)
        }
    }

    @Test("password reset requests are throttled per account")
    func forgotThrottled() async throws {
        try await withGuild { app, mail in
            _ = try await User.make(email: "spam@example.com", on: app)
            let browser = Browser(app)
            for _ in 0..<Throttle.resetPerAccount.limit {
                #expect(try await browser.post("/password/forgot", ["email": "spam@example.com"]).status == .seeOther)
            }
            let response = try await browser.post("/password/forgot", ["email": "spam@example.com"])
            #expect(response.status == .tooManyRequests)
            #expect(Int(response.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.count == Throttle.resetPerAccount.limit)
        }
    }
}
