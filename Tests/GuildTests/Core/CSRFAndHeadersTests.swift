import Testing
import VaporTesting

@testable import Guild

@Suite("CSRF protection and security headers")
struct CSRFAndHeadersTests {
    @Test("a form post without a CSRF token, or with a wrong one, is refused and writes nothing",
          arguments: [nil, "wrong-token-wrong-token-wrong-token-wrong"])
    func csrfRequired(token: String?) async throws {
        try await withGuild { app, _ in
            let browser = Browser(app)
            try await browser.get("/signup")
            var form = ["name": "Ada", "email": "csrf@example.com", "password": testPassword]
            form["csrf"] = token ?? ""
            let response = try await browser.post("/signup", form, csrf: token ?? "")
            #expect(response.status == .forbidden)
            #expect(try await app.count("users") == 0)
        }
    }

    @Test("a signed-in member's form needs the session's token, not the anonymous one")
    func csrfBoundToSession() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "bound@example.com", on: app)
            let browser = Browser(app)
            let anonymousToken = try await browser.currentCSRF()
            try await browser.signIn(email: user.email)
            let response = try await browser.post("/settings/tokens", ["label": "x"], csrf: anonymousToken)
            #expect(response.status == .forbidden)
            #expect(try await app.count("api_tokens") == 0)
        }
    }

    @Test("HTML and JSON responses carry the security headers", arguments: ["/", "/signin", "/api/v1/me", "/nowhere"])
    func securityHeaders(path: String) async throws {
        try await withGuild { app, _ in
            let response = try await Browser(app).get(path)
            let csp = try #require(response.headers.first(name: "Content-Security-Policy"))
            #expect(csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(response.headers.first(name: "Referrer-Policy") != nil)
            #expect(response.headers.first(name: "X-Request-Id") != nil)
        }
    }

    @Test("pages have no inline script and label every input")
    func accessiblePages() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "labels@example.com", role: .admin, on: app)
            let browser = Browser(app)
            for path in ["/", "/signup", "/signin", "/password/forgot"] {
                try Self.checkLabels(try await browser.get(path).body.string, path: path)
            }
            try await browser.signIn(email: user.email)
            for path in ["/settings", "/admin"] {
                try Self.checkLabels(try await browser.get(path).body.string, path: path)
            }
        }
    }

    static func checkLabels(_ html: String, path: String) throws {
        #expect(!html.contains("<script"), "inline script on \(path)")
        #expect(html.contains("name=\"viewport\""), "no viewport on \(path)")
        let ids = html.matches(of: /<(?:input|select|textarea)[^>]*?\sid="([^"]+)"/).map { String($0.1) }
        let visible = html.matches(of: /<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*>/).count
        #expect(ids.count == visible, "an input without id on \(path)")
        for id in ids {
            #expect(html.contains("for=\"\(id)\""), "input \(id) has no label on \(path)")
        }
    }

    @Test("a known path asked with another method is 405 with Allow")
    func methodNotAllowed() async throws {
        try await withGuild { app, _ in
            let api = try await app.testing().sendRequest(.DELETE, "/api/v1/me")
            #expect(api.status == .methodNotAllowed)
            #expect(api.headers.first(name: "Allow") == "GET")
            #expect(api.body.string.contains("method_not_allowed"))
            let page = try await app.testing().sendRequest(.PUT, "/signin")
            #expect(page.status == .methodNotAllowed)
            #expect(page.headers.first(name: "Allow") == "GET, POST")
        }
    }

    @Test("unknown pages get a friendly HTML 404, API paths a JSON one")
    func notFound() async throws {
        try await withGuild { app, _ in
            let page = try await Browser(app).get("/no/such/page")
            #expect(page.status == .notFound)
            #expect(page.headers.contentType?.subType == "html")
            let api = try await Browser(app).get("/api/v1/nothing")
            #expect(api.status == .notFound)
            #expect(api.body.string.contains("\"code\":\"not_found\""))
        }
    }
}
