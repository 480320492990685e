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

    // Computed: MetricNameDescriptor is not Sendable, so it cannot be a stored static.
    static var requests: MetricNameDescriptor {
        .init(namespace: "guild", subsystem: "http", metricName: "requests", unitName: "total",
              helpText: "HTTP requests by method, route and status.")
    }
    static var latency: MetricNameDescriptor {
        .init(namespace: "guild", subsystem: "http", metricName: "request_duration", unitName: "seconds",
              helpText: "Time to answer an HTTP request, by method and route.")
    }
    static var outbox: MetricNameDescriptor {
        .init(namespace: "guild", metricName: "outbox", unitName: "messages", helpText: "Emails waiting or given up on.")
    }

    static var jobRuns: MetricNameDescriptor {
        .init(namespace: "guild", subsystem: "job", metricName: "runs", unitName: "total",
              helpText: "Background job runs by job and outcome (success, failure, skipped: another server had it).")
    }

    func recordJob(_ name: String, outcome: String) {
        registry.makeCounter(descriptor: Self.jobRuns, labels: [("job", name), ("outcome", outcome)]).increment()
    }

    func recordRequest(method: String, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.latency, labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    func setOutboxDepth(pending: Int, failed: Int) {
        registry.makeGauge(descriptor: Self.outbox, labels: [("status", "pending")]).set(Double(pending))
        registry.makeGauge(descriptor: Self.outbox, labels: [("status", "failed")]).set(Double(failed))
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
