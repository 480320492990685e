import Foundation
import Vapor

/// A post as a card in a list or the whole of its page. `bodyHTML` comes from `SafeMarkdown` alone.
struct PostView: Encodable, Sendable {
    var id: UUID
    var kind: String
    var kindLabel: String
    var title: String
    var bodyHTML: String
    /// Nil when posted without a name: the page says "posted without a name", and nothing else.
    var authorName: String?
    var authorSlug: String?
    var niches: [PostNicheTag]
    var membersOnly: Bool
    var posted: String
    var edited: Bool
    var mine: Bool

    init(_ post: PostRecord, niches: [PostNicheTag], viewer: User?) {
        id = post.id
        kind = post.kind
        kindLabel = post.kindValue.label
        title = post.title
        bodyHTML = post.body_html
        authorName = post.anonymous ? nil : post.author_name
        authorSlug = post.anonymous ? nil : post.author_slug
        self.niches = niches
        membersOnly = !post.isPublic
        posted = post.created_at.dayDisplay
        edited = post.edited
        mine = !post.anonymous && viewer?.id != nil && post.author_id == viewer?.id
    }
}

struct PostsIndexPage: Encodable {
    var layout: Layout
    var kind: String
    var niche: String
    var kinds: [Choice]
    var categories: [NicheIndex.Category]
    var items: [PostView]
    var nextPage: Int?
}

struct PostPage: Encodable {
    var layout: Layout
    var post: PostView
}

struct PostFormPage: Encodable, FormPage {
    struct Form: Encodable, Sendable {
        var kind = "tip"
        var title = ""
        var body = ""
        var problem = ""
        var approach = ""
        var result = ""
        var niches = ""
        var visibility = "public"
        var anonymous = false
    }

    var layout: Layout
    var form: Form
    var kinds: [Choice]
    /// The post being edited (its kind and anonymity stay as posted), or nil for a new one.
    var editing: UUID?
    var isNew: Bool
    var errors: [String: String] = [:]
    var formError: String?

    static func make(_ req: Request, form: Form, editing: UUID? = nil) async throws -> PostFormPage {
        PostFormPage(layout: req.layout(title: editing == nil ? "Share something" : "Edit your post"), form: form,
                     kinds: PostKind.allCases.map { .init(value: $0.rawValue, label: $0.label) }, editing: editing, isNew: editing == nil)
    }
}

/// An Atom feed a page offers in its head (`<link rel="alternate" type="application/atom+xml">`).
struct FeedLink: Encodable, Sendable {
    var title: String
    var href: String
}
