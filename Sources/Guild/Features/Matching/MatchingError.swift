import Vapor

/// What a need can get wrong; each names the field at fault.
enum MatchingError: AppError {
    case invalid(field: String, String)

    var status: HTTPResponseStatus { .unprocessableEntity }
    var code: String { "invalid_field" }
    var reason: String {
        switch self {
        case .invalid(_, let message): message
        }
    }
    var field: String? {
        switch self {
        case .invalid(let field, _): field
        }
    }
}
