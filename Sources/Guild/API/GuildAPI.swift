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

/// RFC 3339 date-times as the API document allows them: any offset the grammar allows (`+20:00` is
/// valid RFC 3339 although no zone uses it; Foundation's ISO 8601 parser refuses it), with or without
/// fractional seconds, `T`/`Z` in either case, a leap second read as the next second. Written
/// without fractions, as before.
struct LenientISO8601Transcoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { date.formatted(.iso8601) }

    func decode(_ text: String) throws -> Date {
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time, got '\(text.prefix(40))'."))
        }
        return date
    }
}

enum RFC3339 {
    /// `full-date "T" full-time` of RFC 3339 section 5.6, or nil.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 64 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            var value = 0
            for index in from..<from + length {
                guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        func byte(_ index: Int, _ allowed: String) -> Bool { index < bytes.count && allowed.utf8.contains(bytes[index]) }
        guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2),
              byte(10, "Tt"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2), byte(16, ":"),
              let second = number(17, 2) else { return nil }
        var index = 19
        var fraction = 0.0
        if byte(index, ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        let offset: Int
        if byte(index, "Zz"), index + 1 == bytes.count {
            offset = 0
        } else if byte(index, "+-"), index + 6 == bytes.count, let offsetHour = number(index + 1, 2), byte(index + 3, ":"),
                  let offsetMinute = number(index + 4, 2), offsetHour <= 23, offsetMinute <= 59 {
            offset = (offsetHour * 60 + offsetMinute) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...days[month - 1]).contains(day), hour <= 23, minute <= 59, second <= 60 else { return nil }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
        let seconds = daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
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
