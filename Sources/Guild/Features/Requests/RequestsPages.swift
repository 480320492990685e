import Foundation

/// A request as a card on the board or the head of its page.
struct RequestView: Encodable, Sendable {
    var id: UUID
    var title: String
    var details: String
    var authorName: String
    var authorSlug: String?
    var place: String
    var niches: [RequestNicheTag]
    var state: String
    var stateLabel: String
    var posted: String
    var expires: String
    var answers: Int

    init(_ r: RequestRecord, niches: [RequestNicheTag], now: Date = Date()) {
        id = r.id
        title = r.title
        details = r.details
        authorName = r.author_name
        authorSlug = r.author_slug
        place = [r.city, r.remote ? "remote is fine" : ""].filter { !$0.isEmpty }.joined(separator: " · ")
        self.niches = niches
        state = r.state(now: now)
        stateLabel = switch state {
        case "open": "Open"
        case "filled": "Filled"
        case "closed": "Closed"
        default: "Expired"
        }
        posted = r.created_at.dayDisplay
        expires = r.expires_at.dayDisplay
        answers = r.answers
    }
}

struct RequestsBoardPage: Encodable {
    var layout: Layout
    var niche: String
    var city: String
    var remote: Bool
    var mine: Bool
    /// Every niche by category, for the filter.
    var categories: [NicheIndex.Category]
    var items: [RequestView]
    var nextPage: Int?
}

struct RequestFormPage: Encodable, FormPage {
    struct Form: Encodable, Sendable {
        var title = ""
        var details = ""
        var niches = ""
        var city = ""
        var remote = false
    }

    var layout: Layout
    var form: Form
    var maxTitle = 140
    var errors: [String: String] = [:]
    var formError: String?
}

struct RequestPage: Encodable, FormPage {
    struct Answer: Encodable, Sendable {
        var id: UUID
        var authorName: String
        var authorSlug: String?
        var suggestedName: String
        var suggestedSlug: String?
        var himself: Bool
        var reason: String
        var when: String
        var picked: Bool
    }

    struct Suggestion: Encodable, Sendable {
        var slug: String
        var name: String
        var business: String
        var why: String
    }

    var layout: Layout
    var request: RequestView
    var answers: [Answer]
    var isAuthor: Bool
    var canAnswer: Bool
    /// Members matching suggests for the request (semantic when the model is loaded).
    var suggestions: [Suggestion]
    var suggestionsNote: String?
    var answerForm: AnswerForm
    var errors: [String: String] = [:]
    var formError: String?

    struct AnswerForm: Encodable, Sendable {
        var member = ""
        var reason = ""
    }
}
