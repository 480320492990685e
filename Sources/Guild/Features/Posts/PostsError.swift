import Validation
import Vapor

/// What can go wrong with a post; each names the field at fault where there is one.
enum PostsError: AppError, Equatable {
    case invalid(field: String, String)
    case notFound
    case unknownNiche(String)
    case unknownReferral
    case referralNotWon
    case referralOnlyForCaseStudy
    case tooNewForAnonymous
    case unknownComment(field: String)
    case ownPost
    case notAQuestion
    case notTheAsker
    case answerIsReply
    case ownAnswer
    case commentHidden
    case unknownReport
    /// Accounts in their first day post and comment less (spam and brigading come from new accounts).
    case newAccountLimit(String, retryAfter: Int)

    var status: HTTPResponseStatus {
        switch self {
        // Unknown niches and referrals are well-formed references to nothing: 404, as the API document says.
        case .notFound, .unknownNiche, .unknownReferral, .unknownComment, .unknownReport: .notFound
        // A referral on a post that is not a named case study conflicts with the post (its kind is
        // not in a PATCH body, so no schema can rule it out).
        case .referralNotWon, .referralOnlyForCaseStudy, .tooNewForAnonymous, .ownPost, .notAQuestion, .answerIsReply, .ownAnswer,
             .commentHidden: .conflict
        case .notTheAsker: .forbidden
        case .newAccountLimit: .tooManyRequests
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
        case .unknownComment, .unknownReport: "not_found"
        case .ownPost: "own_post"
        case .notAQuestion: "not_a_question"
        case .notTheAsker: "forbidden"
        case .answerIsReply: "answer_is_reply"
        case .ownAnswer: "own_answer"
        case .commentHidden: "comment_hidden"
        case .newAccountLimit: "too_many_requests"
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
        case .unknownComment: "There is no such comment on this post."
        case .unknownReport: "There is no such open report."
        case .ownPost: "Your own post cannot be marked helpful by you; others will."
        case .notAQuestion: "Only a question has an accepted answer."
        case .notTheAsker: "Only the member who asked the question can accept an answer."
        case .answerIsReply: "Accept a comment on the question itself, not a reply to a comment."
        case .ownAnswer: "You cannot accept your own comment as the answer."
        case .commentHidden: "That comment was hidden by an organizer."
        case .newAccountLimit(let what, let seconds):
            "New accounts can post \(what) in their first day on Guild. Try again in \(Self.wait(seconds))."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .unknownNiche: "niches"
        case .unknownReferral, .referralNotWon, .referralOnlyForCaseStudy: "referralId"
        case .tooNewForAnonymous: "anonymous"
        case .unknownComment(let field): field
        case .ownAnswer, .answerIsReply, .commentHidden: "commentId"
        case .notFound, .ownPost, .notAQuestion, .notTheAsker, .newAccountLimit, .unknownReport: nil
        }
    }

    var headers: HTTPHeaders {
        if case .newAccountLimit(_, let seconds) = self { return ["Retry-After": String(seconds)] }
        return [:]
    }

    static func wait(_ seconds: Int) -> String {
        seconds < 120 ? "\(seconds) seconds" : seconds < 7200 ? "\((seconds + 59) / 60) minutes" : "\((seconds + 3599) / 3600) hours"
    }
}

extension PostsError {
    /// Trimmed text of 1 to `max` characters with no control or direction characters, or the error
    /// naming `field`: `ask` when it is empty or too long, the rule it breaks otherwise.
    static func checkedText(_ raw: String, field: String, max: Int, what: String, ask: String) throws -> String {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty, text.unicodeScalars.count <= max else { throw PostsError.invalid(field: field, ask) }
        if let problem = TextRules.textProblem(text, what: what) { throw PostsError.invalid(field: field, problem) }
        return text
    }
}
