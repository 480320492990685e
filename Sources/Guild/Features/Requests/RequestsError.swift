import Vapor

/// What can go wrong on the requests board; each names the field at fault where there is one.
enum RequestsError: AppError {
    case invalid(field: String, String)
    case notFound
    case unknownMember(String)
    case onlyAuthor
    case notOpen(String)
    case ownRequest
    case alreadySuggested
    case suggestingAuthor
    case unknownNiche(String)
    case unknownAnswer
    case answerMismatch

    var status: HTTPResponseStatus {
        switch self {
        // Unknown members, niches and answers are 404 as in the API document: they are well-formed
        // references to nothing, which no schema can rule out.
        case .notFound, .unknownMember, .unknownNiche, .unknownAnswer: .notFound
        case .onlyAuthor: .forbidden
        case .notOpen, .ownRequest, .alreadySuggested, .suggestingAuthor, .answerMismatch: .conflict
        case .invalid: .unprocessableEntity
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .notFound, .unknownAnswer: "not_found"
        case .unknownNiche: "unknown_niche"
        case .suggestingAuthor: "suggesting_author"
        case .answerMismatch: "answer_mismatch"
        case .unknownMember: "unknown_member"
        case .onlyAuthor: "forbidden"
        case .notOpen: "request_not_open"
        case .ownRequest: "own_request"
        case .alreadySuggested: "already_suggested"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message): message
        case .notFound: "There is no such request."
        case .unknownMember(let slug): "No member has the profile “\(slug.prefix(80))”."
        case .onlyAuthor: "Only the member who posted this request can do that."
        case .notOpen(let state): "This request is \(state); it takes no more answers or referrals."
        case .ownRequest: "You posted this request: pick one of the answers, or refer to a suggested member, instead."
        case .alreadySuggested: "You already suggested this member for this request."
        case .suggestingAuthor: "That is the member who asked; suggest someone who can help them."
        case .unknownNiche(let name): "“\(name.prefix(100))” is not a niche on Guild; choose one from the niche list."
        case .unknownAnswer: "This request has no such answer."
        case .answerMismatch: "That answer suggests someone else; refer to the member it suggests."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .unknownMember, .suggestingAuthor: "member"
        case .unknownNiche: "niches"
        case .unknownAnswer, .answerMismatch: "answerId"
        default: nil
        }
    }
}
