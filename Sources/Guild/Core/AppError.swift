import Validation
import Vapor

/// An error a person or client can act on: an HTTP status, a stable code, a reason, maybe the field at fault.
protocol AppError: Error {
    var status: HTTPResponseStatus { get }
    var code: String { get }
    var reason: String { get }
    var field: String? { get }
    var headers: HTTPHeaders { get }
}

extension AppError {
    var field: String? { nil }
    var headers: HTTPHeaders { [:] }
}

/// Errors shared by every feature.
enum CommonError: AppError {
    case invalidField(FieldProblem)
    /// A query parameter out of range: 400, as the API document says.
    case invalidParameter(FieldProblem)
    case notSignedIn
    case forbidden
    case notFound
    case throttled(retryAfter: Int)
    case badRequest(String)

    var status: HTTPResponseStatus {
        switch self {
        case .invalidField: .unprocessableEntity
        case .invalidParameter: .badRequest
        case .notSignedIn: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .throttled: .tooManyRequests
        case .badRequest: .badRequest
        }
    }

    var code: String {
        switch self {
        case .invalidField: "invalid_field"
        case .invalidParameter: "invalid_parameter"
        case .notSignedIn: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .throttled: "too_many_requests"
        case .badRequest: "bad_request"
        }
    }

    var reason: String {
        switch self {
        case .invalidField(let problem), .invalidParameter(let problem): problem.message
        case .notSignedIn: "Sign in first: send a valid API token as `Authorization: Bearer <token>`."
        case .forbidden: "You are not allowed to do that."
        case .notFound: "There is nothing here."
        case .throttled(let seconds): "Too many attempts. Try again in \(seconds) seconds."
        case .badRequest(let message): message
        }
    }

    var field: String? {
        switch self {
        case .invalidField(let problem), .invalidParameter(let problem): problem.field
        default: nil
        }
    }

    var headers: HTTPHeaders {
        switch self {
        case .throttled(let seconds): ["Retry-After": String(seconds)]
        case .notSignedIn: ["WWW-Authenticate": "Bearer"]
        default: [:]
        }
    }
}

extension Result where Failure == FieldProblem {
    /// The valid value, or a 422 naming the field.
    func orThrow() throws -> Success {
        try mapError { CommonError.invalidField($0) }.get()
    }
}
