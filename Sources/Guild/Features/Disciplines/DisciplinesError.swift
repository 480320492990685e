import Vapor

/// What can go wrong with disciplines, with the status and words a member can act on.
enum DisciplinesError: AppError, Equatable {
    case invalid(field: String, String)
    case notFound
    case memberNotFound
    case partnerNotFound
    case notYourPartner
    case alreadySettled
    case conflict(field: String, String)
    case tooMany

    var status: HTTPResponseStatus {
        switch self {
        case .invalid: .unprocessableEntity
        case .notFound, .memberNotFound, .partnerNotFound: .notFound
        case .notYourPartner: .forbidden
        case .alreadySettled, .conflict, .tooMany: .conflict
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .notFound, .memberNotFound, .partnerNotFound: "not_found"
        case .notYourPartner: "not_your_partner"
        case .alreadySettled: "already_settled"
        case .conflict: "conflict"
        case .tooMany: "too_many_disciplines"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message), .conflict(_, let message): message
        case .notFound: "There is no such discipline, or it is not yours."
        case .memberNotFound: "There is no such member, or their disciplines are not shared with you."
        case .partnerNotFound: "There is no such partner request."
        case .notYourPartner: "Only the member who was asked can accept or decline."
        case .alreadySettled: "This request was already answered or ended."
        case .tooMany: "You can keep up to \(Disciplines.maxPerMember) disciplines; delete one you no longer keep first."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _), .conflict(let field, _): field
        default: nil
        }
    }
}
