import Validation
import Vapor

/// What can go wrong with a referral; each names the field at fault where there is one.
enum ReferralsError: AppError {
    case invalid(field: String, String)
    case selfReferral
    case unknownMember(String)
    case receiverAway
    case notFound
    case onlyReceiver
    case transition(ReferralTransitionProblem)
    case badValue(Money.Problem)
    case testimonialNotAllowed
    case testimonialExists

    var status: HTTPResponseStatus {
        switch self {
        case .notFound, .unknownMember: .notFound
        case .onlyReceiver: .forbidden
        case .transition(.notAllowed), .testimonialNotAllowed, .testimonialExists: .conflict
        default: .unprocessableEntity
        }
    }

    var code: String {
        switch self {
        case .invalid, .badValue: "invalid_field"
        case .selfReferral: "self_referral"
        case .unknownMember: "unknown_member"
        case .receiverAway: "receiver_away"
        case .notFound: "not_found"
        case .onlyReceiver: "forbidden"
        case .transition(.notAllowed): "illegal_transition"
        case .transition: "invalid_field"
        case .testimonialNotAllowed: "testimonial_not_allowed"
        case .testimonialExists: "testimonial_exists"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message): message
        case .selfReferral: "You cannot refer a client to yourself."
        case .unknownMember(let slug): "No member has the profile “\(slug.prefix(80))”."
        case .receiverAway: "This member is away and not taking referrals now; choose someone else."
        case .notFound: "There is no such referral."
        case .onlyReceiver: "Only the member who received this referral can move it on."
        case .transition(let problem):
            switch problem {
            case .notAllowed(let from, let to):
                from.next.isEmpty
                    ? "This referral is \(from.label.lowercased()) and closed; it cannot become \(to.label.lowercased())."
                    : "A referral that is \(from.label.lowercased()) can become \(from.next.map { $0.label.lowercased() }.joined(separator: " or ")), not \(to.label.lowercased())."
            case .reasonRequired: "Say why, in a sentence: the giver learns from it."
            case .reasonTooLong: "The reason can be at most \(ReferralRules.reasonMax) characters."
            case .valueRequired: "Give the value of the closed business (amount and currency)."
            case .valueOnlyWhenWon: "A value is recorded only when the referral is won."
            }
        case .testimonialNotAllowed: "A testimonial can be written once the referral is won, by its giver or its receiver."
        case .testimonialExists: "You already wrote a testimonial for this referral; it cannot be changed."
        case .badValue(let problem):
            switch problem {
            case .unknownCurrency(let code): "“\(code)” is not an ISO 4217 currency code; use one like EUR, USD or GBP."
            case .badAmount: "Give the amount as digits with an optional decimal point, like 1250 or 1250.50."
            case .tooManyDecimals(let currency, let allowed):
                allowed == 0 ? "\(currency) has no minor unit: give a whole amount." : "\(currency) has \(allowed) decimal places at most."
            case .tooLarge: "That amount is too large."
            }
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .selfReferral, .receiverAway, .unknownMember: "to"
        case .transition(.reasonRequired), .transition(.reasonTooLong): "reason"
        case .transition(.valueRequired), .transition(.valueOnlyWhenWon): "value"
        case .transition(.notAllowed): "to"
        case .badValue(.unknownCurrency): "value.currency"
        case .badValue: "value.amount"
        case .notFound, .onlyReceiver, .testimonialNotAllowed, .testimonialExists: nil
        }
    }
}
