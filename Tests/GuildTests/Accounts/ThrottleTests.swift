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

    @Test("100 concurrent wrong passwords for one account: at most the limit are checked, the rest get 429")
    func concurrentGuesses() async throws {
        try await withGuild { app, _ in
            // setup
            let user = try await User.make(email: "race@example.com", on: app)
            // act
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await app.testing().sendRequest(.POST, "/api/v1/tokens", beforeRequest: {
                            try $0.content.encode(["email": user.email, "password": "wrong password"], as: .json)
                        }).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            // assert
            let checked = statuses.filter { $0 == .unauthorized }.count
            #expect(checked >= 1 && checked <= Throttle.signInPerAccount.limit)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 100 - checked, "\(statuses.filter { $0 != .unauthorized && $0 != .tooManyRequests })")
            #expect(try await app.count("api_tokens") == 0)
        }
    }

    @Test("a successful sign-in is not held against the address")
    func successNotCounted() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "often@example.com", on: app)
            for _ in 0..<(Throttle.signInPerIP.limit + 2) {
                #expect(try await Browser(app).signIn(email: user.email).status == .seeOther)
            }
        }
    }

    @Test("one address may make only so many accounts an hour")
    func signUpPerIP() async throws {
        try await withGuild { app, _ in
            for index in 0..<Throttle.signUpPerIP.limit {
                #expect(try await Browser(app).signUp(email: "new\(index)@example.com").status == .seeOther)
            }
            let blocked = try await Browser(app).signUp(email: "one-more@example.com")
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: "Retry-After") != nil)
            #expect(try await app.count("users") == Throttle.signUpPerIP.limit)
        }
    }

    @Test("behind a proxy, a client's own X-Forwarded-For entries do not make it a new address")
    func forgedForwardedFor() async throws {
        try await withGuild(configure: { $0.trustProxy = true }) { (app: Application, _: RecordingMailTransport) async throws in
            // act: every sign-up claims another origin on the left; the proxy appends what it saw
            var statuses: [HTTPStatus] = []
            for index in 0...Throttle.signUpPerIP.limit {
                let browser = Browser(app)
                browser.extraHeaders.add(name: "X-Forwarded-For", value: "10.\(index % 250).\(UInt8.random(in: 0...255)).1, 203.0.113.50")
                statuses.append(try await browser.signUp(email: "forged\(index)@example.com").status)
            }
            // assert
            #expect(statuses.prefix(Throttle.signUpPerIP.limit).allSatisfy { $0 == .seeOther })
            #expect(statuses.last == .tooManyRequests)
            #expect(try await app.count("users") == Throttle.signUpPerIP.limit)
        }
    }

    @Test("the client is the entry as many places from the right as there are trusted proxies")
    func proxyHops() {
        #expect(Request.forwardedClient(["1.1.1.1, 203.0.113.5"], proxies: 1) == "203.0.113.5")
        #expect(Request.forwardedClient(["1.1.1.1, 203.0.113.5", "10.0.0.2"], proxies: 2) == "203.0.113.5")
        #expect(Request.forwardedClient(["203.0.113.5"], proxies: 3) == "203.0.113.5")
        #expect(Request.forwardedClient([" , "], proxies: 1) == nil)
        #expect(Request.forwardedClient([], proxies: 1) == nil)
        // IPv6 counts by /64; IPv4-mapped addresses as their IPv4
        #expect(Request.limitKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(Request.limitKey("2001:db8:1:2:ffff:ffff:ffff:ffff") == Request.limitKey("2001:db8:1:2::9"))
        #expect(Request.limitKey("::ffff:203.0.113.5") == "203.0.113.5")
        #expect(Request.limitKey("203.0.113.5") == "203.0.113.5")
    }

    @Test("wrong passwords from elsewhere cannot lock the owner out: a browser that signed in before, or a correct password from an address with no failures, gets through")
    func noLockoutOfTheOwner() async throws {
        try await withGuild(configure: { $0.trustProxy = true }) { (app: Application, _: RecordingMailTransport) async throws in
            // setup: the owner signed in once on their laptop, then signed out
            let user = try await User.make(email: "owner@example.com", on: app)
            let laptop = Browser(app)
            laptop.extraHeaders.add(name: "X-Forwarded-For", value: "198.51.100.20")
            #expect(try await laptop.signIn(email: user.email).status == .seeOther)
            #expect(laptop.cookies[SignInDevices.cookie] != nil)
            _ = try await laptop.post("/signout", [:])
            // act: an attacker's wrong passwords lock the account
            let attacker = Browser(app)
            attacker.extraHeaders.add(name: "X-Forwarded-For", value: "203.0.113.66")
            for _ in 0..<Throttle.signInPerAccount.limit {
                #expect(try await attacker.signIn(email: user.email, password: "guess").status == .unauthorized)
            }
            #expect(try await attacker.signIn(email: user.email).status == .tooManyRequests)
            // assert: the laptop gets in; a phone on a clean address gets one check, and the right password works
            #expect(try await laptop.signIn(email: user.email).status == .seeOther)
            let phone = Browser(app)
            phone.extraHeaders.add(name: "X-Forwarded-For", value: "192.0.2.77")
            #expect(try await phone.signIn(email: user.email).status == .seeOther)
            // a second guess from a clean address, right after a wrong one, is held
            for _ in 0..<Throttle.signInPerAccount.limit {
                _ = try await attacker.signIn(email: user.email, password: "guess")
            }
            let other = Browser(app)
            other.extraHeaders.add(name: "X-Forwarded-For", value: "192.0.2.78")
            #expect(try await other.signIn(email: user.email, password: "guess").status == .unauthorized)
            #expect(try await other.signIn(email: user.email).status == .tooManyRequests)
        }
    }
}
