import Fluent
import Formats
import Vapor

struct BlogView: Encodable, Sendable {
    var id: UUID
    var title: String
    var siteURL: String
    var feedURL: String
    var own: Bool
    var reason: String
    var memberName: String
    var memberSlug: String?
    var niches: [NicheTag]
    var status: String

    init(_ r: RecommendationRecord, niches: [NicheTag]) {
        id = r.id
        title = r.title
        siteURL = r.site_url
        feedURL = r.feed_url
        own = r.own
        reason = r.reason
        memberName = r.member_name
        memberSlug = r.member_slug
        self.niches = niches
        status = r.last_error.map { "Last read failed: \($0)" } ?? r.fetched_at.map { "Read \($0.shortDisplay)" } ?? "Not read yet"
    }
}

struct BlogrollPage: Encodable, FormPage {
    struct Form: Encodable, Sendable {
        var feedURL = "", siteURL = "", title = "", reason = "", niches = ""
        var own = false
    }
    var layout: Layout
    var blogs: [BlogView]
    var opmlHref: String?
    var form = Form()
    var errors: [String: String] = [:]
    var formError: String?
}

struct BlogrollImportPage: Encodable, FormPage {
    struct Feed: Encodable, Sendable { var index: Int; var title: String; var feedURL: String; var siteURL: String }
    var layout: Layout
    var feeds: [Feed]
    var niches = ""
    var reason = ""
    var errors: [String: String] = [:]
    var formError: String?
}

struct NicheBlogrollPage: Encodable {
    struct Blog: Encodable, Sendable {
        var title: String
        var siteURL: String
        var feedURL: String
        var recommenders: [Recommender]
    }
    struct Recommender: Encodable, Sendable { var name: String; var slug: String?; var reason: String; var own: Bool }
    struct Item: Encodable, Sendable { var title: String; var link: String; var summary: String; var blog: String; var published: String }
    var layout: Layout
    var slug: String
    var name: String
    var blogs: [Blog]
    var items: [Item]
}

/// The blogroll as pages: a member's own list (add, remove, import from a feed reader's OPML), each
/// niche's blogroll with "from the blogs", and OPML exports per niche and per member.
struct BlogrollController: RouteCollection {
    /// An OPML file and its form fields; a feed reader's export of a thousand feeds is well under 1 MB.
    static let opmlUpload = BodyPolicy(limit: 1_048_576 + 16 * 1024, maxMultipartParts: 4)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("n", ":slug", "blogroll", use: niche)
        routes.get("blogroll", "niches", ":file", use: nicheOPML)
        routes.get("blogroll", "members", ":file", use: memberOPML)
        let members = routes.grouped(RequireSignInMiddleware())
        members.get("blogroll", use: mine)
        members.post("blogroll", use: add)
        members.post("blogroll", ":recommendationID", "delete", use: remove)
        members.get("blogroll", "import", use: importForm)
        members.on(.POST, "blogroll", "import", body: .collect(maxSize: .init(value: Self.opmlUpload.limit)), use: preview)
            .accepting(Self.opmlUpload)
        members.post("blogroll", "import", "confirm", use: confirm)
    }

    func page(_ req: Request, form: BlogrollPage.Form = .init()) async throws -> BlogrollPage {
        let user = try req.requireUser()
        let records = try await Blogroll.of(try user.requireID(), on: req.db)
        let niches = try await Blogroll.niches(of: records.map(\.id), on: req.db)
        let slug = try await Profile.find(userID: user.requireID(), on: req.db)?.slug
        return BlogrollPage(layout: req.layout(title: "My blogroll"), blogs: records.map { BlogView($0, niches: niches[$0.id] ?? []) },
                            opmlHref: slug.map { "/blogroll/members/\($0).opml" }, form: form)
    }

    func mine(req: Request) async throws -> View {
        try await req.view.render("Blogroll/mine", try await page(req))
    }

    func add(req: Request) async throws -> Response {
        struct Input: Content { var feedUrl: String?; var siteUrl: String?; var title: String?; var reason: String?; var niches: String?; var own: String? }
        let user = try req.requireUser()
        let input = try req.content.decode(Input.self)
        let form = BlogrollPage.Form(feedURL: input.feedUrl ?? "", siteURL: input.siteUrl ?? "", title: input.title ?? "",
                                     reason: input.reason ?? "", niches: input.niches ?? "", own: input.own == "yes")
        do {
            _ = try await Blogroll.recommend(BlogDraft(feedURL: form.feedURL, siteURL: form.siteURL, title: form.title, reason: form.reason,
                                                       niches: form.niches.split(separator: ",").map(String.init), own: form.own),
                                             by: user, on: req.db)
            req.flash(.success, form.own ? "Your blog is on your blogroll." : "Recommended. Thank you.")
            return req.redirect(to: "/blogroll", redirectType: .normal)
        } catch let error as BlogrollError {
            // A niche that does not exist is a mistake in the form, shown by its field.
            let error: BlogrollError = if case .unknownNiche = error { .invalid(field: "niches", error.reason) } else { error }
            var page = try await page(req, form: form)
            page.show(error)
            return try await req.view.render("Blogroll/mine", page).encodeResponse(for: req).with(error)
        }
    }

    func remove(req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("recommendationID", as: UUID.self) else { throw BlogrollError.notFound }
        try await Blogroll.remove(id, by: user, on: req.db)
        req.flash(.success, "Removed from your blogroll.")
        return req.redirect(to: "/blogroll", redirectType: .normal)
    }

    func importForm(req: Request) async throws -> View {
        try await req.view.render("Blogroll/import", BlogrollImportPage(layout: req.layout(title: "Import from a feed reader"), feeds: []))
    }

    /// Reads the uploaded OPML and shows its feeds to pick from; nothing is saved yet.
    func preview(req: Request) async throws -> Response {
        struct Upload: Content { var opml: File? }
        var page = BlogrollImportPage(layout: req.layout(title: "Import from a feed reader"), feeds: [])
        guard let file = try? req.content.decode(Upload.self).opml, file.data.readableBytes > 0 else {
            page.show(BlogrollError.invalid(field: "opml", "Choose the OPML file your feed reader exported."))
            return try await req.view.render("Blogroll/import", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        guard file.data.readableBytes <= 1_048_576 else {
            page.show(BlogrollError.invalid(field: "opml", "The file is over 1 MB; an OPML list of feeds is much smaller."))
            return try await req.view.render("Blogroll/import", page).encodeResponse(status: .payloadTooLarge, for: req)
        }
        do {
            let opml = try OPML.parse(Data(file.data.readableBytesView))
            page.feeds = opml.feeds.enumerated().map { .init(index: $0, title: $1.title.isEmpty ? $1.feedURL : $1.title, feedURL: $1.feedURL,
                                                             siteURL: $1.siteURL) }
            if page.feeds.isEmpty { page.show(BlogrollError.invalid(field: "opml", "The file lists no feeds.")) }
            return try await req.view.render("Blogroll/import", page).encodeResponse(for: req)
        } catch let error as OPML.ParseError {
            page.show(BlogrollError.invalid(field: "opml", error.description))
            return try await req.view.render("Blogroll/import", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// Recommends the picked feeds, all with the same niches and sentence; a feed that is not valid
    /// is reported by its name and the rest are saved.
    func confirm(req: Request) async throws -> Response {
        struct Input: Content {
            var pick: [Int]?
            var feedUrl: [String]?
            var siteUrl: [String]?
            var title: [String]?
            var niches: String?
            var reason: String?
        }
        let user = try req.requireUser()
        let input = try req.content.decode(Input.self)
        let urls = input.feedUrl ?? [], sites = input.siteUrl ?? [], titles = input.title ?? []
        let picks = Set(input.pick ?? []).filter { urls.indices.contains($0) }.sorted()
        var page = BlogrollImportPage(
            layout: req.layout(title: "Import from a feed reader"),
            feeds: urls.indices.map { .init(index: $0, title: titles.indices.contains($0) ? titles[$0] : urls[$0], feedURL: urls[$0],
                                            siteURL: sites.indices.contains($0) ? sites[$0] : "") },
            niches: input.niches ?? "", reason: input.reason ?? "")
        guard !picks.isEmpty else {
            page.show(BlogrollError.invalid(field: "pick", "Tick the blogs to recommend."))
            return try await req.view.render("Blogroll/import", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        var saved = 0, refused: [String] = []
        for index in picks.prefix(Blogroll.perMember) {
            let feed = page.feeds[index]
            do {
                _ = try await Blogroll.recommend(BlogDraft(feedURL: feed.feedURL, siteURL: feed.siteURL, title: feed.title,
                                                           reason: input.reason ?? "", niches: (input.niches ?? "").split(separator: ",").map(String.init),
                                                           own: false), by: user, on: req.db)
                saved += 1
            } catch let error as BlogrollError {
                // The shared fields are wrong for all of them: say so once, by the field.
                if ["niches", "reason"].contains(error.field ?? "") || error == .tooMany {
                    page.show(error)
                    return try await req.view.render("Blogroll/import", page).encodeResponse(for: req).with(error)
                }
                refused.append("\(feed.title): \(error.reason)")
            }
        }
        req.flash(refused.isEmpty ? .success : .info,
                  "\(saved) blog\(saved == 1 ? "" : "s") recommended." + (refused.isEmpty ? "" : " Not saved: " + refused.joined(separator: "; ")))
        return req.redirect(to: "/blogroll", redirectType: .normal)
    }

    func niche(req: Request) async throws -> View {
        guard let slug = req.parameters.get("slug"), slug.utf8.count <= 200,
              let niche = try await NicheResolver.find(slug, on: req.db), niche.slug == slug else { throw CommonError.notFound }
        let records = try await Blogroll.inNiche(slug, on: req.db)
        var order: [UUID] = [], blogs: [UUID: NicheBlogrollPage.Blog] = [:]
        for r in records {
            if blogs[r.blog_id] == nil {
                order.append(r.blog_id)
                blogs[r.blog_id] = .init(title: r.title, siteURL: r.site_url, feedURL: r.feed_url, recommenders: [])
            }
            blogs[r.blog_id]!.recommenders.append(.init(name: r.member_name, slug: r.member_slug, reason: r.reason, own: r.own))
        }
        let items = try await Blogroll.items(inNiche: slug, on: req.db)
        var layout = req.layout(title: "\(niche.name): blogroll")
        layout.feeds = [.init(title: "Guild: \(niche.name)", href: "/feeds/niches/\(slug).atom")]
        return try await req.view.render("Blogroll/niche", NicheBlogrollPage(
            layout: layout, slug: slug, name: niche.name, blogs: order.compactMap { blogs[$0] },
            items: items.map { .init(title: $0.title, link: $0.link, summary: $0.summary, blog: $0.blog_title,
                                     published: $0.published_at?.dayDisplay ?? "") }))
    }

    func opmlResponse(_ body: String, name: String) -> Response {
        var headers: HTTPHeaders = ["Content-Type": "text/x-opml; charset=utf-8"]
        headers.add(name: .contentDisposition, value: "inline; filename=\"\(name).opml\"")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    func fileStem(_ req: Request) throws -> String {
        guard let file = req.parameters.get("file"), file.hasSuffix(".opml"), file.utf8.count <= 210 else { throw CommonError.notFound }
        return String(file.dropLast(5))
    }

    func nicheOPML(req: Request) async throws -> Response {
        let slug = try fileStem(req)
        guard let niche = try await NicheResolver.find(slug, on: req.db), niche.slug == slug else { throw CommonError.notFound }
        return opmlResponse(Blogroll.opml(title: "Guild blogroll: \(niche.name)", try await Blogroll.inNiche(slug, on: req.db)), name: slug)
    }

    func memberOPML(req: Request) async throws -> Response {
        let slug = try fileStem(req)
        guard let profile = try await Profile.find(slug: slug, on: req.db) else { throw CommonError.notFound }
        let user = try await profile.$user.get(on: req.db)
        return opmlResponse(Blogroll.opml(title: "Blogs \(user.name) recommends on Guild", try await Blogroll.of(profile.$user.id, on: req.db)),
                            name: slug)
    }
}
