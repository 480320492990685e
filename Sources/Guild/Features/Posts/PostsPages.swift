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
    var helpful: Int
    var comments: Int

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
        helpful = post.helpful
        comments = post.comments
    }
}

/// A comment on a post's page. A hidden one shows its text only to its author and to organizers.
struct CommentView: Encodable, Sendable {
    var id: UUID
    var authorName: String
    var authorSlug: String?
    var bodyHTML: String
    var posted: String
    var edited: Bool
    var accepted: Bool
    var hidden: Bool
    var hiddenReason: String?
    var showBody: Bool
    var mine: Bool
    var canAccept: Bool
    var replies: [CommentView]

    init(_ comment: CommentRecord, replies: [CommentRecord] = [], viewer: User?, asker: Bool) {
        id = comment.id
        authorName = comment.author_name
        authorSlug = comment.author_slug
        bodyHTML = comment.body_html
        posted = comment.created_at.shortDisplay
        edited = comment.edited
        accepted = comment.accepted
        hidden = comment.hidden
        mine = viewer?.id == comment.author_id
        showBody = !comment.hidden || mine || viewer?.role.canOrganize == true
        hiddenReason = showBody ? comment.hidden_reason : nil
        canAccept = asker && comment.parent_id == nil && !mine && !comment.hidden
        self.replies = replies.map { CommentView($0, viewer: viewer, asker: false) }
    }
}

struct PostsIndexPage: Encodable {
    var layout: Layout
    var q: String
    var order: String
    /// A search or the most helpful: ranked, with a total.
    var ranked: Bool
    var total: Int
    var kind: String
    var niche: String
    var kinds: [Choice]
    /// The niche filter's `<option>`s, rendered once per directory generation (`NicheIndex.options`).
    var nicheOptions: String
    var items: [PostView]
    var nextHref: String?
}

struct PostPage: Encodable, FormPage {
    struct CommentForm: Encodable, Sendable {
        var body = ""
        /// The thread a reply was being written in, to show its form open again after an error.
        var parent: UUID?
        var replying: Bool { parent != nil }

        enum CodingKeys: String, CodingKey { case body, parent, replying }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(body, forKey: .body)
            try container.encode(parent?.uuidString ?? "", forKey: .parent)
            try container.encode(replying, forKey: .replying)
        }
    }

    var layout: Layout
    var post: PostView
    var isQuestion: Bool
    var hidden: Bool
    var hiddenReason: String?
    var signedIn: Bool
    var markedHelpful: Bool
    var canMarkHelpful: Bool
    var canModerate: Bool
    var threads: [CommentView]
    var form = CommentForm()
    var errors: [String: String] = [:]
    var formError: String?

    static func make(_ req: Request, _ post: PostRecord, form: CommentForm = .init()) async throws -> PostPage {
        let viewer = req.currentUser
        let niches = try await Posts.niches(of: [post.id], on: req.db)[post.id] ?? []
        var layout = req.layout(title: post.title)
        if let slug = post.author_slug, !post.anonymous {
            layout.feeds = [.init(title: "Guild: posts by \(post.author_name ?? slug)", href: "/feeds/members/\(slug).atom")]
        }
        let view = PostView(post, niches: niches, viewer: viewer)
        let asker = post.kindValue == .question && view.mine
        let threads = try await Comments.threads(of: post.id, on: req.db)
        return PostPage(
            layout: layout, post: view, isQuestion: post.kindValue == .question, hidden: post.hidden, hiddenReason: post.hidden_reason,
            signedIn: viewer != nil, markedHelpful: try await Comments.markedHelpful(post.id, by: viewer, on: req.db),
            canMarkHelpful: viewer != nil && !view.mine && !post.hidden, canModerate: viewer?.role.canOrganize == true,
            threads: threads.map { CommentView($0.comment, replies: $0.replies, viewer: viewer, asker: asker) }, form: form)
    }
}

struct CommentEditPage: Encodable, FormPage {
    var layout: Layout
    var postID: UUID
    var postTitle: String
    var commentID: UUID
    var body: String
    var errors: [String: String] = [:]
    var formError: String?
}

struct PostReportPage: Encodable, FormPage {
    var layout: Layout
    var postID: UUID
    var postTitle: String
    var commentID: UUID?
    /// What is being reported, as the reporter saw it.
    var excerptHTML: String
    var reason = ""
    var errors: [String: String] = [:]
    var formError: String?
}

struct ModerationPage: Encodable {
    struct Report: Encodable {
        var id: UUID
        var postID: UUID
        var commentID: UUID?
        var postTitle: String
        var excerpt: String
        var reporter: String
        var reason: String
        var reported: String
        var hidden: Bool
    }
    struct Entry: Encodable {
        var who: String
        var action: String
        var postID: UUID?
        var reason: String
        var when: String
    }
    var layout: Layout
    var reports: [Report]
    var log: [Entry]
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
