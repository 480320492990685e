import Testing
import VaporTesting

@testable import Guild

/// `next` after sign-in: a path on this site, never another site and never a second header.
@Suite("Sign-in redirects")
struct RedirectTests {
    static let hostile = [
        "/\t/x", "/%09/x", "/\n/x", "/\r\nSet-Cookie:x", "//x", "/\\x", "https://x", "javascript:x", "%2F%2Fx",
        "/%0ASet-Cookie:%20pwn=1", "/%2F/x", "/\u{202E}x", "",
    ]

    @Test("hostile next values fall back to /", arguments: hostile)
    func hostileFallsBack(next: String) {
        #expect(AccountsController.safeNext(next) == "/")
    }

    @Test("an ordinary path with a query survives")
    func ordinaryPath() {
        #expect(AccountsController.safeNext("/m/ada?tab=niches") == "/m/ada?tab=niches")
        #expect(AccountsController.safeNext("/directory?q=web%20design") == "/directory?q=web%20design")
    }

    @Test("signing in with a line feed in next sets no extra cookie and redirects home")
    func headerInjection() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "next@example.com", on: app)
            let browser = Browser(app)
            let response = try await browser.post(
                "/signin", ["email": user.email, "password": testPassword, "next": "/\nSet-Cookie: pwn=1"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/")
            #expect(browser.cookies["pwn"] == nil)
            let tab = Browser(app)
            let redirected = try await tab.post("/signin", ["email": user.email, "password": testPassword, "next": "/\t/evil.example"])
            #expect(redirected.headers.first(name: .location) == "/")
        }
    }

    @Test("the sign-in form does not carry a hostile next into the page")
    func formCarriesSafeNext() async throws {
        try await withGuild { app, _ in
            let page = try await Browser(app).get("/signin?next=/%0ASet-Cookie:x").body.string
            #expect(page.contains(#"name="next" value="/""#))
            let kept = try await Browser(app).get("/signin?next=/m/ada").body.string
            #expect(kept.contains(#"name="next" value="/m/ada""#))
        }
    }
}
