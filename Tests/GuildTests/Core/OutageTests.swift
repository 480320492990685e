import NIOConcurrencyHelpers
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

    /// The fault test: PostgreSQL killed under eight writers left two to four requests waiting for the
    /// whole 30 s deadline (their ROLLBACK written to a connection already closed was never answered)
    /// and their connections out of the pool for good. A session the server ends mid-transaction is the
    /// same thing on one connection. Before the fix this test hangs until the 20 s guard fails it.
    @Test("a transaction whose connection the server closes ends at once and gives its connection back")
    func connectionClosedMidTransaction() async throws {
        try await withGuild { app, _ in
            // SQLite has no connection to lose: the case is PostgreSQL's alone.
            guard !app.db.isSQLite else { return }
            struct Backend: Decodable { var pid: Int32 }
            let outcome: Result<Void, any Error> = try await withinSeconds(20) {
                do {
                    try await app.db.writeTransaction(reportingGeneration: false) { db in
                        let pid = try await db.sql.raw("SELECT pg_backend_pid() AS pid").first(decoding: Backend.self)!.pid
                        // Another connection ends this one's session, as a server restart does.
                        try await app.db.sql.raw("SELECT pg_terminate_backend(\(bind: pid))").run()
                        try await Task.sleep(for: .milliseconds(500))
                        try await db.sql.raw("SELECT 1").run()
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            guard case .failure(let error) = outcome else { Issue.record("the transaction committed on a closed connection"); return }
            #expect(DatabaseUnavailable.matches(error), "\(error)")
            // Every connection of the pool still works: none was kept by the stuck statement.
            for _ in 0..<40 {
                #expect(try await app.db.sql.raw("SELECT pg_backend_pid() AS pid").first(decoding: Backend.self) != nil)
            }
        }
    }

    /// `body`'s value, or a failed test after `seconds` (a hang must fail the test, not stall the run).
    func withinSeconds<T: Sendable>(_ seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        return try await withCheckedThrowingContinuation { continuation in
            let answered = NIOLockedValueBox(false)
            let answer: @Sendable (Result<T, any Error>) -> Void = { result in
                guard answered.withLockedValue({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(with: result)
            }
            Task { do { answer(.success(try await body())) } catch { answer(.failure(error)) } }
            Task { try? await Task.sleep(for: .seconds(seconds)); answer(.failure(StillRunning(seconds: seconds))) }
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

/// A test's work was still running when its guard ran out.
struct StillRunning: Error { var seconds: Int }
