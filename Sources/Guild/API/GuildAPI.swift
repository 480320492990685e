import Fluent
import Formats
import OpenAPIRuntime
import OpenAPIVapor
import Vapor

/// Implements the operations generated from `openapi.yaml`; each feature adds its own in an extension.
struct GuildAPI: APIProtocol {
    static let maxBodySize = 64 * 1024

    static func register(on app: Application) throws {
        // From Resources/ (Sources/Guild/openapi.yaml links there for the generator): a deployment
        // carries the binary, Resources/ and Public/, never Sources/.
        let spec = try String(contentsOfFile: app.directory.resourcesDirectory + "OpenAPI/openapi.yaml", encoding: .utf8)
        let api = app.grouped("api", "v1")
        api.get("openapi.yaml") { _ in
            Response(status: .ok, headers: ["Content-Type": "application/yaml; charset=utf-8"], body: .init(string: spec))
        }
        // Constant paths that `/contacts/{id}` would catch for its other methods: 405, as for any path.
        for (path, allowed, methods) in [("export.vcf", "GET", [HTTPMethod.PATCH, .DELETE]), ("import", "POST", [.GET, .PATCH, .DELETE])] {
            for method in methods {
                api.on(method, "contacts", PathComponent(stringLiteral: path)) { _ -> Response in
                    throw Abort(.methodNotAllowed, headers: ["Allow": allowed], reason: "Use \(allowed) on this path.")
                }.userInfo[GuildErrorMiddleware.refusesKey] = true
            }
        }
        let transport = VaporTransport(routesBuilder: app.grouped(APIRequestMiddleware(), IdempotencyMiddleware()))
        // Compact JSON: the runtime's default pretty-prints every response.
        try GuildAPI().registerHandlers(
            on: transport, serverURL: URL(string: "/api/v1")!,
            configuration: .init(dateTranscoder: LenientISO8601Transcoder(), jsonEncodingOptions: [.sortedKeys]))
    }
}

/// RFC 3339 date-times as the API document allows them: with or without fractional seconds, `Z` in
/// either case. Written without fractions, as before.
struct LenientISO8601Transcoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { date.formatted(.iso8601) }

    func decode(_ text: String) throws -> Date {
        do {
            return try Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")).parse(text.uppercased())
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time, got '\(text.prefix(40))'."))
        }
    }
}

/// Gives handlers the Vapor request (database, config, client address) and enforces the body limit
/// the streaming OpenAPI transport does not.
struct APIRequestMiddleware: AsyncMiddleware {
    @TaskLocal static var current: Request?

    /// Routes with their own limit: a file (a 10 MB address book), or long texts the document allows
    /// (a 20,000-character description sent as `\uXXXX` escapes, and an agenda); every other one 64 KB.
    static let bodyLimits = [
        "/api/v1/contacts/import": ContactFiles.maxFileSize,
        "/api/v1/circles": 256 * 1024,
        "/api/v1/events": 512 * 1024,
        // A whole runbook: up to 100 clients and 100 duties of long notes.
        "/api/v1/cover/runbook": 4 * 1_048_576,
    ]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let limit = Self.bodyLimits[request.url.path] ?? GuildAPI.maxBodySize
        let declared = request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        if declared > limit || (request.body.data?.readableBytes ?? 0) > limit {
            throw Abort(.payloadTooLarge, reason: request.url.path == "/api/v1/contacts/import" ? ContactsError.tooLarge.reason : nil)
        }
        if request.method != .GET, request.method != .HEAD, request.body.data == nil {
            _ = try await request.body.collect(max: limit).get()
        }
        return try await Self.$current.withValue(request) {
            try await next.respond(to: request)
        }
    }
}

extension GuildAPI {
    /// The Vapor request being handled.
    var req: Request {
        get throws {
            guard let request = APIRequestMiddleware.current else { throw Abort(.internalServerError) }
            return request
        }
    }
}

/// Bearer-token authentication for the JSON API.
enum APIAuth {
    static func requireUser(_ req: Request) async throws -> User {
        guard let bearer = req.headers.bearerAuthorization?.token, !bearer.isEmpty,
            let token = try await APIToken.query(on: req.db)
                .filter(\.$tokenHash == SecureToken.hash(bearer))
                .with(\.$user)
                .first()
        else { throw CommonError.notSignedIn }
        // Note the use at most once a minute, so reads do not become writes on every request; never when
        // writing a post, which may be anonymous: the token's time must not date it.
        let writesPost = req.method == .POST && req.url.path.hasPrefix("/api/v1/posts")
        if !writesPost, (token.lastUsedAt ?? .distantPast) < Date().addingTimeInterval(-60) {
            token.lastUsedAt = Date()
            try await token.save(on: req.db)
        }
        return token.user
    }

    /// The bearer's account, which must be an organizer or an admin (403 otherwise).
    @discardableResult
    static func requireOrganizer(_ req: Request) async throws -> User {
        let user = try await requireUser(req)
        guard user.role.canOrganize else { throw CommonError.forbidden }
        return user
    }
}
