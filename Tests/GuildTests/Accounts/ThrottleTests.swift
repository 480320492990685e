import Testing
import VaporTesting

@testable import Guild

@Suite("Sign-in throttling")
struct ThrottleTests {
    @Test("five wrong passwords lock the account's sign-in for a while, even with the right one")
    func perAccount() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "locked@example.com", on: app)
            let browser = Browser(app)
            for _ in 0..<Throttle.signInPerAccount.limit {
                #expect(try await browser.signIn(email: user.email, password: "wrong password").status == .unauthorized)
            }
            let blocked = try await browser.signIn(email: user.email)
            #expect(blocked.status == .tooManyRequests)
            let retryAfter = try #require(Int(blocked.headers.first(name: "Retry-After") ?? ""))
            #expect(retryAfter > 0 && retryAfter <= 900)
            #expect(browser.cookies[WebSessionMiddleware.sessionCookie] == nil)
        }
    }

    @Test("the token endpoint shares the account's throttle and answers JSON 429")
    func apiThrottled() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "apilock@example.com", on: app)
            for _ in 0..<Throttle.signInPerAccount.limit {
                let response = try await app.testing().sendRequest(.POST, "/api/v1/tokens", beforeRequest: {
                    try $0.content.encode(["email": user.email, "password": "wrong password"], as: .json)
                })
                #expect(response.status == .unauthorized)
            }
            let response = try await app.testing().sendRequest(.POST, "/api/v1/tokens", beforeRequest: {
                try $0.content.encode(["email": user.email, "password": testPassword], as: .json)
            })
            #expect(response.status == .tooManyRequests)
            #expect(response.headers.first(name: "Retry-After") != nil)
            #expect(response.body.string.contains("too_many_requests"))
        }
    }

    @Test("one address guessing many accounts is throttled per IP")
    func perIP() async throws {
        try await withGuild(configure: { $0.trustProxy = true }) { (app: Application, _: RecordingMailTransport) async throws in
            let browser = Browser(app)
            browser.extraHeaders.add(name: "X-Forwarded-For", value: "203.0.113.9")
            for index in 0..<Throttle.signInPerIP.limit {
                #expect(try await browser.signIn(email: "guess\(index)@example.com").status == .unauthorized)
            }
            #expect(try await browser.signIn(email: "another@example.com").status == .tooManyRequests)
            let elsewhere = Browser(app)
            elsewhere.extraHeaders.add(name: "X-Forwarded-For", value: "198.51.100.7")
            #expect(try await elsewhere.signIn(email: "another@example.com").status == .unauthorized)
        }
    }
}
