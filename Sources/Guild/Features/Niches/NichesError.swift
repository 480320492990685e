import Vapor

/// What an organizer can get wrong when tidying niches; each names the form field at fault.
enum NichesError: AppError {
    case mergeTargetMissing
    case noSuchNiche(String)
    case mergeIntoItself
    case synonymLength
    case synonymTaken(String)

    var status: HTTPResponseStatus { .unprocessableEntity }

    var code: String {
        switch self {
        case .mergeTargetMissing, .synonymLength: "invalid_field"
        case .noSuchNiche: "unknown_niche"
        case .mergeIntoItself: "merge_into_itself"
        case .synonymTaken: "synonym_taken"
        }
    }

    var reason: String {
        switch self {
        case .mergeTargetMissing: "Name the niche to merge into, in 1 to 80 characters."
        case .noSuchNiche(let name): "No niche is called “\(name)”."
        case .mergeIntoItself: "A niche cannot be merged into itself."
        case .synonymLength: "Enter a synonym of 1 to 80 characters."
        case .synonymTaken(let synonym): "“\(synonym)” already names a niche."
        }
    }

    var field: String? {
        switch self {
        case .mergeTargetMissing, .noSuchNiche, .mergeIntoItself: "into"
        case .synonymLength, .synonymTaken: "synonym"
        }
    }
}
