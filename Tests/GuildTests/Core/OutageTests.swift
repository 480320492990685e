import Testing
import VaporTesting

@testable import Guild

/// A database that does not answer makes a 503 with Retry-After, never a 500 or a hung request.
@Suite("Database outage and deadlines")
struct OutageTests {
    /// An app whose database refuses every connection (nothing listens on port 9).
    func withUnreachableDatabase(_ body: (Application) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        var config = AppConfig.development
        config.bcryptCost = 4
        config.database = .postgres(url: "postgres://nobody:nothing@127.0.0.1:9/guild")
        do {
            try await configure(app, config: config)
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test("pages and the API answer 503 with Retry-After when the database is unreachable",
          arguments: ["/m/ada", "/directory?q=seo", "/api/v1/members/ada", "/api/v1/niches"])
    func unreachable(path: String) async throws {
        try await withUnreachableDatabase { app in
            let response = try await app.testing().sendRequest(.GET, path)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: "Retry-After") == "5")
            #expect(!response.body.string.contains("127.0.0.1"))
            if path.hasPrefix("/api") { #expect(response.body.string.contains(#""code":"unavailable""#)) }
        }
    }

    @Test("a request still waiting at its deadline gets 503 instead of hanging")
    func deadline() async throws {
        // A 3 s deadline, not 1: the /ping after it must not miss its own deadline on a loaded machine.
        try await withGuild(configure: { $0.requestTimeout = 3 }) { app, _ in
            app.get("stuck") { _ -> String in
                try await Task.sleep(for: .seconds(10))
                return "late"
            }
            let response = try await app.testing().sendRequest(.GET, "/stuck")
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: "Retry-After") == "5")
            #expect(try await app.testing().sendRequest(.GET, "/ping").status == .ok)
        }
    }

    @Test("database errors that mean 'not answering' are told apart from others")
    func classification() {
        #expect(DatabaseUnavailable.matches(ConnectionPoolTimeoutError.connectionRequestTimeout))
        #expect(!DatabaseUnavailable.matches(CommonError.notFound))
        let described = GuildErrorMiddleware.describe(ConnectionPoolTimeoutError.connectionRequestTimeout)
        #expect(described.status == .serviceUnavailable)
        #expect(described.headers.first(name: "Retry-After") == "5")
    }
}
