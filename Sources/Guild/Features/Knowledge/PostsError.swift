import Vapor

/// What can go wrong with a post; each names the field at fault where there is one.
enum PostsError: AppError {
    case invalid(field: String, String)
    case notFound
    case unknownNiche(String)
    case unknownReferral
    case referralNotWon
    case referralOnlyForCaseStudy
    case tooNewForAnonymous

    var status: HTTPResponseStatus {
        switch self {
        // Unknown niches and referrals are well-formed references to nothing: 404, as the API document says.
        case .notFound, .unknownNiche, .unknownReferral: .notFound
        // A referral on a post that is not a named case study conflicts with the post (its kind is
        // not in a PATCH body, so no schema can rule it out).
        case .referralNotWon, .referralOnlyForCaseStudy, .tooNewForAnonymous: .conflict
        case .invalid: .unprocessableEntity
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .notFound, .unknownReferral: "not_found"
        case .unknownNiche: "unknown_niche"
        case .referralNotWon: "referral_not_won"
        case .referralOnlyForCaseStudy: "referral_only_for_case_study"
        case .tooNewForAnonymous: "account_too_new"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message): message
        case .notFound: "There is no such post."
        case .unknownNiche(let name): "“\(name.prefix(100))” is not a niche on Guild; choose one from the niche list."
        case .unknownReferral: "You have no such referral to link."
        case .referralNotWon: "A case study links a won referral; this one is not won (yet)."
        case .referralOnlyForCaseStudy: "Only a case study posted under your name can link a referral."
        case .tooNewForAnonymous: "Accounts can post without a name from their second day on Guild."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .unknownNiche: "niches"
        case .unknownReferral, .referralNotWon, .referralOnlyForCaseStudy: "referralId"
        case .tooNewForAnonymous: "anonymous"
        case .notFound: nil
        }
    }
}
