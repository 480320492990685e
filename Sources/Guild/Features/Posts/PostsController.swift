import Fluent
import Vapor

/// Knowledge pages: the latest posts (by kind and niche), one post, writing and editing. Public
/// posts are for everyone; members-only ones for signed-in members.
struct PostsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("posts", use: index)
        routes.get("posts", ":postID", use: show)
        let members = routes.grouped(RequireSignInMiddleware())
        members.get("posts", "new", use: newForm)
        members.post("posts", use: create)
        members.get("posts", ":postID", "edit", use: editForm)
        members.post("posts", ":postID", "edit", use: update)
        members.post("posts", ":postID", "delete", use: delete)
    }

    func index(req: Request) async throws -> View {
        let kind = req.query[String.self, at: "kind"].flatMap(PostKind.init(rawValue:))
        let niche = req.query[String.self, at: "niche"].map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let q = String((req.query[String.self, at: "q"] ?? "").prefix(200))
        let order = req.query[String.self, at: "order"].flatMap(PostQuery.Order.init(rawValue:)) ?? .latest
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 1000))
        let query = PostQuery(q: q, kind: kind, niche: niche, membersOnlyToo: req.currentUser != nil, order: order, page: page)
        let shown: [PostRecord], total: Int?, more: Bool
        if query.isRanked {
            let hits = try await PostSearch.hits(query, on: req.db, cache: req.application.postSearchCache)
            shown = try await Posts.records(hits.ids, on: req.db)
            total = hits.total
            more = hits.total > page * PostQuery.perPage
        } else {
            let rows = try await Posts.list(.init(kind: kind, niche: niche, membersOnlyToo: req.currentUser != nil, limit: 21,
                                                  offset: (page - 1) * 20), on: req.db)
            shown = Array(rows.prefix(20))
            total = nil
            more = rows.count > 20
        }
        let niches = try await Posts.niches(of: shown.map(\.id), on: req.db)
        var layout = req.layout(title: !query.words.isEmpty ? "Knowledge: “\(q)”" : order == .helpful ? "Most helpful this month"
                                    : kind.map { "\($0.label)s" } ?? "Knowledge")
        layout.feeds = [.init(title: "Guild: what members share", href: "/feeds/posts.atom")]
        if let kind { layout.feeds.append(.init(title: "Guild: \(kind.label.lowercased())s", href: "/feeds/kinds/\(kind.rawValue).atom")) }
        if let niche { layout.feeds.append(.init(title: "Guild: \(niche)", href: "/feeds/niches/\(niche).atom")) }
        var next = URLComponents()
        next.path = "/posts"
        next.queryItems = [("q", q), ("order", order == .latest ? "" : order.rawValue), ("kind", kind?.rawValue ?? ""), ("niche", niche ?? "")]
            .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) } + [URLQueryItem(name: "page", value: String(page + 1))]
        return try await req.view.render("Posts/index", PostsIndexPage(
            layout: layout, q: q, order: order.rawValue, ranked: total != nil, total: total ?? 0, kind: kind?.rawValue ?? "", niche: niche ?? "",
            kinds: PostKind.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            nicheOptions: try await NicheIndex.options(selected: niche ?? "", on: req),
            items: shown.map { PostView($0, niches: niches[$0.id] ?? [], viewer: req.currentUser) },
            nextHref: more ? next.string : nil))
    }

    /// The post of this route, if this reader may see it (hidden ones: their author and organizers).
    func post(_ req: Request) async throws -> PostRecord {
        guard let id = req.parameters.get("postID", as: UUID.self), let post = try await Posts.find(id, on: req.db) else {
            throw PostsError.notFound
        }
        // Members-only: a visitor is asked to sign in, as for any members' page.
        if !post.isPublic && req.currentUser == nil { throw CommonError.notSignedIn }
        guard try await Posts.visible(id, to: req.currentUser, on: req.db) != nil else { throw PostsError.notFound }
        return post
    }

    func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("postID", as: UUID.self), let found = try await Posts.find(id, on: req.db) else {
            throw PostsError.notFound
        }
        // Members-only: a visitor is sent to sign in, and back here after.
        if !found.isPublic && req.currentUser == nil {
            let next = req.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return req.redirect(to: "/signin?next=\(next)")
        }
        guard try await Posts.visible(id, to: req.currentUser, on: req.db) != nil else { throw PostsError.notFound }
        return try await req.view.render("Posts/show", try await PostPage.make(req, found)).encodeResponse(for: req)
    }

    func newForm(req: Request) async throws -> View {
        _ = try req.requireUser()
        var form = PostFormPage.Form()
        if let kind = req.query[String.self, at: "kind"].flatMap(PostKind.init(rawValue:)) { form.kind = kind.rawValue }
        // "What I implemented" (disciplines) becomes a case-study draft: the member adds the problem and posts it.
        if let from = req.query[String.self, at: "implementation"].flatMap(UUID.init(uuidString:)),
           let done = try await Reading.implementation(from, of: try req.requireUser().requireID(), on: req.db) {
            form.kind = PostKind.caseStudy.rawValue
            form.title = done.title
            form.approach = done.what + (done.book_title.map { "\n\n(Learned from *\($0)*.)" } ?? "")
            form.result = done.result
        }
        return try await req.view.render("Posts/form", PostFormPage.make(req, form: form))
    }

    struct Input: Content {
        var kind: String?
        var title: String?
        var body: String?
        var problem: String?
        var approach: String?
        var result: String?
        var niches: String?
        var visibility: String?
        var anonymous: String?
    }

    func draft(_ input: Input) -> (PostFormPage.Form, PostDraft) {
        let form = PostFormPage.Form(
            kind: input.kind ?? "tip", title: input.title ?? "", body: input.body ?? "", problem: input.problem ?? "",
            approach: input.approach ?? "", result: input.result ?? "", niches: input.niches ?? "",
            visibility: input.visibility ?? "public", anonymous: input.anonymous == "yes")
        return (form, PostDraft(kind: form.kind, title: form.title, body: form.body, problem: form.problem, approach: form.approach,
                                result: form.result, niches: form.niches.split(separator: ",").map(String.init),
                                visibility: form.visibility, anonymous: form.anonymous, referralID: nil))
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let (form, draft) = draft(try req.content.decode(Input.self))
        do {
            let id = try await Posts.create(draft, by: user, on: req.db)
            req.flash(.success, draft.anonymous
                ? "Posted without your name. The post stores no author and only its day, and nothing Guild keeps links it to you; a server's own access logs, if its admins keep them, are outside Guild."
                : "Posted.")
            return req.redirect(to: "/posts/\(id)", redirectType: .normal)
        } catch let error as PostsError {
            return try await failed(error, form: form, editing: nil, req: req)
        }
    }

    func failed(_ error: PostsError, form: PostFormPage.Form, editing: UUID?, req: Request) async throws -> Response {
        // A niche that does not exist is a mistake in the form, shown by its field.
        let shown: PostsError = if case .unknownNiche = error { .invalid(field: "niches", error.reason) } else { error }
        var page = try await PostFormPage.make(req, form: form, editing: editing)
        page.show(shown)
        return try await req.view.render("Posts/form", page).encodeResponse(for: req).with(shown)
    }

    func own(_ req: Request) async throws -> (User, PostRecord) {
        let user = try req.requireUser()
        let post = try await post(req)
        guard post.author_id == user.id else { throw PostsError.notFound }
        return (user, post)
    }

    func editForm(req: Request) async throws -> View {
        let (_, post) = try await own(req)
        let niches = try await Posts.niches(of: [post.id], on: req.db)[post.id] ?? []
        let form = PostFormPage.Form(kind: post.kind, title: post.title, body: post.body, problem: post.problem, approach: post.approach,
                                     result: post.result, niches: niches.map(\.name).joined(separator: ", "), visibility: post.visibility,
                                     anonymous: false)
        return try await req.view.render("Posts/form", try await PostFormPage.make(req, form: form, editing: post.id))
    }

    func update(req: Request) async throws -> Response {
        let (user, post) = try await own(req)
        var (form, draft) = draft(try req.content.decode(Input.self))
        form.kind = post.kind
        draft.referralID = post.referral_id
        do {
            try await Posts.update(post.id, with: draft, by: user, on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/posts/\(post.id)", redirectType: .normal)
        } catch let error as PostsError {
            return try await failed(error, form: form, editing: post.id, req: req)
        }
    }

    func delete(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("postID", as: UUID.self) else { throw PostsError.notFound }
        try await Posts.delete(id, by: user, on: req.db)
        req.flash(.success, "The post is deleted.")
        return req.redirect(to: "/posts", redirectType: .normal)
    }
}
