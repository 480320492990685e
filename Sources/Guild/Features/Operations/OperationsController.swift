import Fluent
import SQLKit
import Vapor

/// Health check, Prometheus metrics and a trivial route that benchmarks use as their ceiling.
struct OperationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
        routes.get("metrics", use: metrics)
        routes.get("ping", use: ping)
    }

    func health(req: Request) async throws -> Response {
        struct Health: Content { var status: String; var database: String }
        do {
            try await req.db.sql.raw("SELECT 1").run()
            return try await Health(status: "ok", database: "ok").encodeResponse(for: req)
        } catch {
            req.logger.error("health check: database unreachable: \(String(describing: error))")
            return try await Health(status: "unavailable", database: "unreachable")
                .encodeResponse(status: .serviceUnavailable, for: req)
        }
    }

    /// Metrics tell how busy Guild is and which routes exist: loopback only (a Prometheus on the same
    /// host), or anyone holding `GUILD_METRICS_TOKEN` as a bearer token.
    func metrics(req: Request) async throws -> Response {
        guard Self.mayReadMetrics(req) else { throw CommonError.forbidden }
        if let depth = try? await OutboxDelivery.depth(on: req.db) {
            req.application.metrics.setOutboxDepth(pending: depth.pending, failed: depth.failed)
        }
        let text = req.application.metrics.registry.emitToString()
        return Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(string: text))
    }

    static func mayReadMetrics(_ req: Request) -> Bool {
        if let token = req.application.guildConfig.metricsToken {
            return SecureToken.constantTimeEquals(req.headers.bearerAuthorization?.token ?? "", token)
        }
        // A proxy on this host forwards the world's requests from loopback; they carry X-Forwarded-For.
        guard !req.headers.contains(name: "X-Forwarded-For"), let address = req.remoteAddress?.ipAddress else { return false }
        return address == "127.0.0.1" || address == "::1" || address.hasPrefix("127.") || address == "::ffff:127.0.0.1"
    }

    func ping(req: Request) -> String { "pong" }
}
