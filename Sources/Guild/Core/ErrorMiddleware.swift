import OpenAPIRuntime
import Vapor

/// The one place errors become responses: JSON `{"error":{…}}` under /api, an HTML page elsewhere.
/// Unknown errors are logged with the request id and shown as a plain 500, never with internals.
struct GuildErrorMiddleware: AsyncMiddleware {
    struct Described: Sendable {
        var status: HTTPResponseStatus
        var code: String
        var message: String
        var field: String?
        var headers: HTTPHeaders
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var described = Self.describe(error)
            if described.status == .notFound, request.route == nil {
                let allowed = Self.allowedMethods(for: request)
                if !allowed.isEmpty {
                    described = .init(status: .methodNotAllowed, code: "method_not_allowed",
                                      message: "Use \(allowed.joined(separator: ", ")) on this path.", field: nil,
                                      headers: ["Allow": allowed.joined(separator: ", ")])
                }
            }
            if described.status == .internalServerError {
                request.logger.report(error: error)
            } else if described.status == .serviceUnavailable {
                request.logger.warning("database unavailable", metadata: ["error": "\(DatabaseUnavailable.summary(of: error))"])
            }
            return await Self.response(for: described, to: request)
        }
    }

    static func describe(_ error: any Error) -> Described {
        switch error {
        case let error as any AppError:
            return .init(status: error.status, code: error.code, message: error.reason, field: error.field, headers: error.headers)
        case let error as ServerError:
            if let inner = error.underlyingError as? any AppError { return describe(inner) }
            if let decoding = findDecodingError(error.underlyingError) { return describe(decoding) }
            if "\(type(of: error.underlyingError))".contains("TooManyBytes") { return tooLarge }
            if error.httpStatus.code == 415 {
                return .init(status: .unsupportedMediaType, code: "unsupported_media_type",
                             message: "Send the body as application/json.", field: nil, headers: [:])
            }
            if error.httpStatus.code == 406 {
                // The client's Accept header rules out what this address answers.
                return .init(status: .notAcceptable, code: "not_acceptable",
                             message: "This address does not answer what the Accept header asks for: \(error.underlyingError)", field: nil,
                             headers: [:])
            }
            if error.httpStatus.code == 400 {
                return .init(status: .badRequest, code: "bad_request", message: "\(error.underlyingError)", field: nil, headers: [:])
            }
            return describe(error.underlyingError)
        case let error as DecodingError:
            var keys = error.context.codingPath
            if case .keyNotFound(let key, _) = error { keys.append(key) }
            let path = keys.map(\.stringValue).filter { !$0.isEmpty }.joined(separator: ".")
            // "Give a city or say remote help will do": an anyOf of required fields that none met.
            let alternatives = anyOfMissingKeys(error)
            if !alternatives.isEmpty {
                return .init(status: .badRequest, code: "bad_request",
                             message: "Give \(alternatives.map { "`\($0)`" }.joined(separator: " or ")) (at least one of them).",
                             field: alternatives[0], headers: [:])
            }
            return .init(status: .badRequest, code: "bad_request",
                         message: path.isEmpty ? "The body is not valid JSON of the expected shape." : "The field \(path) is missing or has the wrong type.",
                         field: path.isEmpty ? nil : path, headers: [:])
        case let error where DatabaseUnavailable.matches(error):
            return describe(DatabaseUnavailable())
        case let error as any AbortError:
            // A route's own words for its limit ("contact files can be at most 10 MB") beat the generic line.
            if error.status == .payloadTooLarge {
                return error.reason == HTTPStatus.payloadTooLarge.reasonPhrase || error.reason.isEmpty
                    ? tooLarge : .init(status: .payloadTooLarge, code: "payload_too_large", message: error.reason, field: nil, headers: [:])
            }
            return .init(status: error.status, code: codeFor(error.status), message: error.reason, field: nil, headers: error.headers)
        default:
            return .init(status: .internalServerError, code: "internal_error",
                         message: "Something went wrong on our side. It has been logged.", field: nil, headers: [:])
        }
    }

    /// The fields an anyOf schema's branches each required, when the body met none of them. The
    /// generated decoder reports the branches' errors in a runtime type of its own (`MultiError`,
    /// internal to OpenAPIRuntime), read here by reflection; any other shape gives no names.
    static func anyOfMissingKeys(_ error: DecodingError) -> [String] {
        let context: DecodingError.Context
        switch error {
        case .valueNotFound(_, let found), .dataCorrupted(let found): context = found
        default: return []
        }
        guard context.debugDescription.contains("anyOf"), let underlying = context.underlyingError,
              let branches = Mirror(reflecting: underlying).children.first(where: { $0.label == "errors" })?.value as? [any Error]
        else { return [] }
        var keys: [String] = []
        for branch in branches {
            guard case .keyNotFound(let key, _)? = branch as? DecodingError else { return [] }
            if !keys.contains(key.stringValue) { keys.append(key.stringValue) }
        }
        return keys
    }

    /// Marks a route that only answers 405 (see `GuildAPI.register`): it allows nothing.
    static let refusesKey = AnySendableHashable("guild.refuses")

    /// Methods with a route on the request's path: a known path asked with another method is a 405, not a 404.
    static func allowedMethods(for request: Request) -> [String] {
        let parts = request.url.path.split(separator: "/").map(String.init)
        let matching = request.application.routes.all.filter { route in
            guard route.path.count == parts.count, route.userInfo[refusesKey] == nil else { return false }
            return zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let constant): constant == part
                case .parameter: true
                default: false
                }
            }
        }
        // The most specific path wins, as in the router: `/contacts/export.vcf` is not `/contacts/{id}`.
        func constants(_ route: Route) -> Int { route.path.filter { if case .constant = $0 { true } else { false } }.count }
        let best = matching.map(constants).max() ?? 0
        return Array(Set(matching.filter { constants($0) == best }.map(\.method.rawValue))).sorted()
    }

    static let tooLarge = Described(status: .payloadTooLarge, code: "payload_too_large",
                                    message: "The request body is too large.", field: nil, headers: [:])

    private static func findDecodingError(_ error: any Error) -> DecodingError? {
        if let decoding = error as? DecodingError { return decoding }
        // RuntimeError is internal to OpenAPIRuntime; it exposes its cause through reflection only.
        for child in Mirror(reflecting: error).children {
            if let decoding = child.value as? DecodingError { return decoding }
        }
        return nil
    }

    private static func codeFor(_ status: HTTPResponseStatus) -> String {
        status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            .replacingOccurrences(of: "'", with: "")
    }

    static func response(for error: Described, to request: Request) async -> Response {
        var headers = error.headers
        if request.wantsJSON {
            struct Body: Encodable {
                struct Inner: Encodable { var code: String; var message: String; var field: String? }
                var error: Inner
            }
            let body = Body(error: .init(code: error.code, message: error.message, field: error.field))
            headers.contentType = .json
            let data = (try? JSONEncoder().encode(body)) ?? Data()
            return Response(status: error.status, headers: headers, body: .init(data: data))
        }
        let page = ErrorPage(layout: request.layout(title: error.status.reasonPhrase), status: Int(error.status.code),
                             message: error.message)
        if let view = try? await request.view.render("error", page) {
            let response = try? await view.encodeResponse(for: request)
            if let response {
                response.status = error.status
                for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
                return response
            }
        }
        headers.contentType = .plainText
        return Response(status: error.status, headers: headers, body: .init(string: error.message))
    }
}

extension DecodingError {
    var context: Context {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            return context
        @unknown default:
            return Context(codingPath: [], debugDescription: "")
        }
    }
}

struct ErrorPage: Encodable {
    var layout: Layout
    var status: Int
    var message: String
}

extension Request {
    var wantsJSON: Bool { url.path.hasPrefix("/api/") || url.path == "/api" }
}
