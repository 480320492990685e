import Prometheus
import Vapor

/// Counts requests and their latency by route; one registry per application, never global,
/// so that tests can build many applications in one process.
struct GuildMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    func recordRequest(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            name: "guild_http_requests_total",
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "guild_http_request_duration_seconds"),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    func setOutboxDepth(pending: Int, failed: Int) {
        registry.makeGauge(name: "guild_outbox_messages", labels: [("status", "pending")]).set(Double(pending))
        registry.makeGauge(name: "guild_outbox_messages", labels: [("status", "failed")]).set(Double(failed))
    }
}

/// Outermost middleware: echoes the request id and records each request's route, status and latency.
struct RequestMetricsMiddleware: AsyncMiddleware {
    let metrics: GuildMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: request.id)
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code,
                              duration: ContinuousClock.now - start)
        return response
    }
}
