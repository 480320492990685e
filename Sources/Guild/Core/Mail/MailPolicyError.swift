import Vapor

/// A refusal of the mail policy, in words the member can act on.
enum MailPolicyError: AppError, Equatable {
    case budgetSpent(limit: Int, retryAfter: Int)
    /// Several at once (a circle invitation) that the rest of today's budget cannot hold: none is sent.
    case budgetShort(remaining: Int, asked: Int, retryAfter: Int)
    case alreadyMailed(retryAfter: Int)
    case suppressed
    case notVouched(field: String, address: String)

    var status: HTTPResponseStatus {
        switch self {
        case .budgetSpent, .budgetShort, .alreadyMailed: .tooManyRequests
        case .suppressed: .conflict
        case .notVouched: .unprocessableEntity
        }
    }

    var code: String {
        switch self {
        case .budgetSpent, .budgetShort: "mail_budget_spent"
        case .alreadyMailed: "already_emailed"
        case .suppressed: "address_suppressed"
        case .notVouched: "not_a_contact"
        }
    }

    var reason: String {
        switch self {
        case .budgetSpent(let limit, let seconds):
            "You have emailed \(limit) people outside Guild today, your daily limit. It resets at 00:00 UTC, in \(Self.duration(seconds))."
        case .budgetShort(let remaining, let asked, let seconds):
            "That is \(asked) people outside Guild, and you can email \(remaining) more today; nothing was sent. The limit resets at 00:00 UTC, in \(Self.duration(seconds))."
        case .alreadyMailed(let seconds):
            "Guild has already emailed this address for you recently; the next email to it can go in \(Self.duration(seconds))."
        case .suppressed: "This address asked Guild never to email it again; write from your own mail program."
        case .notVouched(_, let address):
            "“\(address.prefix(80))” is not a Guild member or one of your contacts: Guild emails people outside it only for someone who knows them. Add them to your contacts first."
        }
    }

    var field: String? {
        if case .notVouched(let field, _) = self { return field }
        return nil
    }

    var headers: HTTPHeaders {
        switch self {
        case .budgetSpent(_, let seconds), .budgetShort(_, _, let seconds), .alreadyMailed(let seconds): ["Retry-After": String(seconds)]
        default: [:]
        }
    }

    static func duration(_ seconds: Int) -> String {
        let hours = seconds / 3600, minutes = (seconds % 3600 + 59) / 60
        return hours > 0 ? "\(hours) h \(minutes) min" : "\(max(1, minutes)) min"
    }
}
