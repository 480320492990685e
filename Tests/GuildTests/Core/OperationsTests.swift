import Testing
import VaporTesting

@testable import Guild

@Suite("Health and metrics")
struct OperationsTests {
    @Test("healthz is ok while the database answers")
    func healthy() async throws {
        try await withGuild { app, _ in
            let response = try await app.testing().sendRequest(.GET, "/healthz")
            #expect(response.status == .ok)
            #expect(response.body.string.contains("\"ok\""))
        }
    }

    @Test("healthz is 503 when the database is down")
    func unhealthy() async throws {
        let app = try await Application.make(.testing)
        var config = AppConfig.development
        config.bcryptCost = 4
        config.database = .postgres(url: "postgres://nobody:nothing@127.0.0.1:9/guild")
        try await configure(app, config: config)
        let response = try await app.testing().sendRequest(.GET, "/healthz")
        #expect(response.status == .serviceUnavailable)
        #expect(!response.body.string.contains("9/guild"))
        try await app.asyncShutdown()
    }

    @Test("metrics count requests by route and report the outbox depth")
    func metrics() async throws {
        try await withGuild(configure: { $0.metricsToken = "a-metrics-token-for-tests" }) { app, _ in
            try await Outbox.enqueue(to: "a@example.com", subject: "S", body: "B", for: .account, on: app.db)
            _ = try await app.testing().sendRequest(.GET, "/signin")
            let text = try await app.testing().sendRequest(
                .GET, "/metrics", headers: ["Authorization": "Bearer a-metrics-token-for-tests"]).body.string
            #expect(text.contains(#"guild_http_requests_total{method="GET",route="/signin",status="200"} 1"#))
            #expect(text.contains("guild_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"guild_outbox_messages{status="pending"} 1"#))
        }
    }
}
