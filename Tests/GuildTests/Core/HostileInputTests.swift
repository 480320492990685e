import Formats
import Taxonomy
import Testing
import VaporTesting

@testable import Guild

/// The small holes a probe of the release build found: each answers with a clear 4xx now.
@Suite("Hostile input")
struct HostileInputTests {
    @Test("paths too long for any page are 404 or 414, never 500",
          arguments: [String(repeating: "a", count: 300), "m/" + String(repeating: "b", count: 4_100),
                      "api/v1/members/" + String(repeating: "c", count: 10_000)])
    func longPaths(path: String) async throws {
        try await withGuild { app, _ in
            let status = try await app.testing().sendRequest(.GET, "/" + path).status
            #expect(status == .notFound || status == .uriTooLong)
        }
    }

    @Test("a NUL in a path does not serve a file under another type")
    func nulInPath() async throws {
        try await withGuild { app, _ in
            let response = try await app.testing().sendRequest(.GET, "/css/guild.css%00.html")
            #expect(response.status == .notFound)
            #expect(response.headers.contentType?.subType != "css")
            #expect(try await app.testing().sendRequest(.GET, "/css/guild.css").status == .ok)
        }
    }

    @Test("metrics are for loopback only, or for the bearer of GUILD_METRICS_TOKEN")
    func metricsAccess() async throws {
        try await withGuild { app, _ in
            // The in-memory tester has no loopback address: a stranger.
            let stranger = try await app.testing().sendRequest(.GET, "/metrics")
            #expect(stranger.status == .forbidden)
        }
        let token = "metrics-token-0123456789"
        try await withGuild(configure: { $0.metricsToken = token }) { app, _ in
            #expect(try await app.testing().sendRequest(.GET, "/metrics").status == .forbidden)
            let wrong = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == .forbidden)
            let right = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer \(token)"])
            #expect(right.status == .ok)
            #expect(right.body.string.contains("guild_http_requests_total"))
        }
    }

    @Test("an API token label longer than the document's 100 characters is refused")
    func longLabel() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "label@example.com", on: app)
            let response = try await app.testing().sendRequest(.POST, "/api/v1/tokens", beforeRequest: {
                try $0.content.encode(
                    ["email": user.email, "password": testPassword, "label": String(repeating: "x", count: 10_000)], as: .json)
            })
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(#""field":"label""#))
            #expect(try await app.count("api_tokens") == 0)
        }
    }

    @Test("away until a year no one returns in is refused", arguments: ["99999-01-01", "1999-12-31", "2026-02-30", "2026-1-5"])
    func awayUntil(day: String) async throws {
        try await withGuild { app, _ in
            let user = try await User.make(email: "away@example.com", on: app)
            let (_, token) = try await APIToken.issue(for: user.requireID(), label: "t", on: app.db)
            let response = try await app.testing().sendRequest(
                .PUT, "/api/v1/me/profile", headers: ["Authorization": "Bearer \(token)"],
                beforeRequest: {
                    try $0.content.encode(
                        #"{"niches":[{"name":"bookkeeping"}],"availability":"away","awayUntil":"\#(day)"}"#.data(using: .utf8)!,
                        as: .json)
                })
            #expect(response.status == .unprocessableEntity || response.status == .badRequest)
            #expect(try await app.count("profiles") == 0)
        }
    }

    @Test("names of zero-width characters alone, or with a right-to-left override, are refused",
          arguments: ["\u{200B}\u{200B}", "\u{2060}\u{FEFF}", "Ada \u{202E}ecalevoL", "\u{2067}Ada"])
    func invisibleNames(name: String) async throws {
        try await withGuild { app, _ in
            let page = try await Browser(app).signUp(name: name, email: "ghost@example.com")
            #expect(page.status == .unprocessableEntity)
            let api = try await app.testing().sendRequest(.POST, "/api/v1/accounts", beforeRequest: {
                try $0.content.encode(["name": name, "email": "ghost2@example.com", "password": testPassword], as: .json)
            })
            #expect(api.status == .unprocessableEntity || api.status == .badRequest)
            #expect(try await app.count("users") == 0)
        }
    }

    @Test("a roster row the database refuses is reported by line, with no Swift error dump")
    func rosterDatabaseFailure() async throws {
        try await withGuild { app, _ in
            // The invitation cannot be queued: the database refuses the row's writes.
            try await app.db.sql.raw("DROP TABLE outbox_messages").run()
            let csv = "name,email,niches\nAda Lovelace,ada@example.com,bookkeeping\n"
            do {
                _ = try await RosterImport.run(Data(csv.utf8), strict: false, dryRun: false, baseURL: "http://x", on: app.db, logger: app.logger)
                Issue.record("the import should have stopped")
            } catch let error as RosterFileError {
                #expect(error.reason.contains("line 2"))
                #expect(!error.reason.contains("SQLite"))
                #expect(!error.reason.contains("PSQL"))
                #expect(!error.reason.contains("outbox_messages"))
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(try await app.count("users") == 0)
        }
    }
}
