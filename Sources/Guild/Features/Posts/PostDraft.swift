import Fluent
import SafeMarkdown
import Validation
import Vapor

/// What a member writes; `validated` checks every field and names the first one at fault.
struct PostDraft: Sendable {
    static let titleMax = 140, bodyMax = 20_000, partMax = 6_000

    var kind: String
    var title: String
    var body: String
    var problem: String
    var approach: String
    var result: String
    var niches: [String]
    var visibility: String
    var anonymous: Bool
    var referralID: UUID?

    func validated(on db: any Database) async throws -> (PostDraft, PostKind, [NicheResolver.Resolved]) {
        var draft = self
        func fail(_ field: String, _ message: String) -> PostsError { .invalid(field: field, message) }
        guard let kind = PostKind(rawValue: kind) else {
            throw fail("kind", "Choose what kind of post it is: \(PostKind.allCases.map { $0.label.lowercased() }.joined(separator: ", ")).")
        }
        draft.title = title.trimmingWhitespace()
        guard !draft.title.isEmpty, draft.title.unicodeScalars.count <= Self.titleMax else {
            throw fail("title", "Give the post a title of 1 to \(Self.titleMax) characters.")
        }
        if let problem = TextRules.lineProblem(draft.title, what: "The title") { throw fail("title", problem) }
        draft.body = body.trimmingWhitespace()
        draft.problem = problem.trimmingWhitespace()
        draft.approach = approach.trimmingWhitespace()
        draft.result = result.trimmingWhitespace()
        if kind == .caseStudy {
            // A case study's own body is optional: nothing but invisible characters is no body.
            if draft.body.unicodeScalars.allSatisfy(TextRules.isInvisible) { draft.body = "" }
            for (field, text, what) in [("problem", draft.problem, "the problem"), ("approach", draft.approach, "what you did"),
                                        ("result", draft.result, "the result")] {
                guard !text.isEmpty, text.unicodeScalars.count <= Self.partMax else {
                    throw fail(field, "A case study tells \(what) in 1 to \(Self.partMax) characters.")
                }
                if let problem = TextRules.textProblem(text, what: "This part") { throw fail(field, problem) }
            }
            guard draft.body.unicodeScalars.count <= Self.bodyMax else { throw fail("body", "The body can be at most \(Self.bodyMax) characters.") }
        } else {
            guard !draft.body.isEmpty, draft.body.unicodeScalars.count <= Self.bodyMax else {
                throw fail("body", "Write the post in 1 to \(Self.bodyMax) characters.")
            }
            draft.problem = ""; draft.approach = ""; draft.result = ""
        }
        if let problem = TextRules.textProblem(draft.body, what: "The body") { throw fail("body", problem) }
        guard PostVisibility(rawValue: visibility) != nil else { throw fail("visibility", "Choose public or members only.") }
        if anonymous && !kind.mayBeAnonymous { throw fail("anonymous", "Only horror stories and mistakes can be posted without your name.") }
        if draft.referralID != nil && (kind != .caseStudy || anonymous) { throw PostsError.referralOnlyForCaseStudy }
        let typed = niches.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard RequestRules.nicheRange.contains(typed.count) else {
            throw fail("niches", "Tag the post with 1 to \(RequestRules.nicheRange.upperBound) niches, so the right members find it.")
        }
        let resolved = try await NicheResolver.tags(typed, on: db).mapError { PostsError.unknownNiche($0.name) }.get()
        return (draft, kind, resolved)
    }

    /// The HTML shown and put in feeds: only ever from `SafeMarkdown`.
    func html(kind: PostKind) -> String {
        let markdown = SafeMarkdown()
        guard kind == .caseStudy else { return markdown.html(body) }
        var parts = [("The problem", problem), ("What we did", approach), ("The result", result)].map { heading, text in
            "<h2>\(heading)</h2>\n" + markdown.html(text)
        }
        if !body.isEmpty { parts.append(markdown.html(body)) }
        return parts.joined(separator: "\n")
    }
}
