import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Sign up, sign in, sign out")
struct SignUpAndSessionTests {
    @Test("signing up creates the account and signs the person in with a safe cookie")
    func signUpSignsIn() async throws {
        try await withGuild { app, _ in
            // setup
            let browser = Browser(app)
            // act
            let response = try await browser.signUp(name: "  Ada Lovelace ", email: "Ada@Example.com")
            // assert
            #expect(response.status == .seeOther)
            let cookie = try #require(response.headers.setCookie?[WebSessionMiddleware.sessionCookie])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(!cookie.isSecure)
            let user = try #require(try await User.find(email: "ada@example.com", on: app.db))
            #expect(user.name == "Ada Lovelace")
            #expect(user.role == .member)
            #expect(try await browser.get("/settings").body.string.contains("ada@example.com"))
        }
    }

    @Test("the session cookie is Secure when configured")
    func secureCookie() async throws {
        try await withGuild(configure: { $0.secureCookies = true }) { app, _ in
            let response = try await Browser(app).signUp(email: "secure@example.com")
            #expect(response.headers.setCookie?[WebSessionMiddleware.sessionCookie]?.isSecure == true)
            #expect(response.headers.first(name: "Strict-Transport-Security") != nil)
        }
    }

    @Test("bad sign-up input re-renders the form naming the field and writes nothing",
          arguments: [
            ("", "a@example.com", testPassword, "name"),
            (String(repeating: "x", count: 10_000), "a@example.com", testPassword, "name"),
            ("Ada", "not-an-email", testPassword, "email"),
            ("Ada", "", testPassword, "email"),
            ("Ada", "a@example.com", "short", "password"),
          ])
    func badInput(name: String, email: String, password: String, field: String) async throws {
        try await withGuild { app, _ in
            let response = try await Browser(app).signUp(name: name, email: email, password: password)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("id=\"\(field)-error\""))
            #expect(try await app.count("users") == 0)
        }
    }

    @Test("a taken email is refused with 409")
    func duplicateEmail() async throws {
        try await withGuild { app, _ in
            _ = try await User.make(email: "taken@example.com", on: app)
            let response = try await Browser(app).signUp(email: "TAKEN@example.com")
            #expect(response.status == .conflict)
            #expect(response.body.string.contains("already exists"))
            #expect(try await app.count("users") == 1)
        }
    }

    @Test("signing in issues a new session id, signing out destroys it")
    func signInRotatesAndSignOutDestroys() async throws {
        try await withGuild { app, _ in
            // setup
            let user = try await User.make(email: "rotate@example.com", on: app)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            let first = try #require(browser.cookies[WebSessionMiddleware.sessionCookie])
            // act: sign in again from the same browser
            try await browser.signIn(email: user.email)
            let second = try #require(browser.cookies[WebSessionMiddleware.sessionCookie])
            // assert
            #expect(first != second)
            #expect(try await UserSession.query(on: app.db).count() == 1)
            let signOut = try await browser.post("/signout", [:])
            #expect(signOut.status == .seeOther)
            #expect(browser.cookies[WebSessionMiddleware.sessionCookie] == nil)
            #expect(try await UserSession.query(on: app.db).count() == 0)
            // the old cookie no longer signs anyone in
            let replay = Browser(app)
            replay.cookies[WebSessionMiddleware.sessionCookie] = second
            #expect(try await replay.get("/settings").status == .seeOther)
        }
    }

    @Test("a wrong password is refused without saying which part was wrong")
    func wrongPassword() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "who@example.com", on: app)
            let wrong = try await Browser(app).signIn(email: user.email, password: "wrong password!")
            let unknown = try await Browser(app).signIn(email: "nobody@example.com")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.body.string.contains("email address or password is wrong"))
            #expect(unknown.body.string.contains("email address or password is wrong"))
        }
    }

    @Test("sign-in only redirects to paths on this site")
    func noOpenRedirect() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "next@example.com", on: app)
            let browser = Browser(app)
            let evil = try await browser.post("/signin", ["email": user.email, "password": testPassword, "next": "//evil.example"])
            #expect(evil.headers.first(name: .location) == "/")
            let good = try await browser.post("/signin", ["email": user.email, "password": testPassword, "next": "/settings"])
            #expect(good.headers.first(name: .location) == "/settings")
        }
    }
}
