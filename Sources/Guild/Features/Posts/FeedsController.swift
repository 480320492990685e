import Crypto
import Fluent
import Formats
import Vapor

/// Atom feeds of public posts: everything, per niche, per kind and per member. Members-only posts
/// never appear; anonymous posts appear without an author. Conditional GET: an ETag of the body and
/// Last-Modified of the newest entry answer 304 when the reader is current.
struct FeedsController: RouteCollection {
    static let entries = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.get("feeds", "posts.atom", use: all)
        routes.get("feeds", "niches", ":file", use: niche)
        routes.get("feeds", "kinds", ":file", use: kind)
        routes.get("feeds", "members", ":file", use: member)
    }

    /// `bookkeeping.atom` → `bookkeeping`; anything else is not a feed.
    func name(_ req: Request) throws -> String {
        guard let file = req.parameters.get("file"), file.hasSuffix(".atom"), file.utf8.count <= 210 else { throw CommonError.notFound }
        return String(file.dropLast(5))
    }

    func all(req: Request) async throws -> Response {
        try await respond(req, path: "/feeds/posts.atom", page: "/posts", title: "Guild: what members share", filter: .init(limit: Self.entries))
    }

    func niche(req: Request) async throws -> Response {
        let slug = try name(req)
        guard let niche = try await NicheResolver.find(slug, on: req.db), niche.slug == slug else { throw CommonError.notFound }
        return try await respond(req, path: "/feeds/niches/\(slug).atom", page: "/posts?niche=\(slug)", title: "Guild: \(niche.name)",
                                 filter: .init(niche: slug, limit: Self.entries))
    }

    func kind(req: Request) async throws -> Response {
        guard let kind = PostKind(rawValue: try name(req)) else { throw CommonError.notFound }
        return try await respond(req, path: "/feeds/kinds/\(kind.rawValue).atom", page: "/posts?kind=\(kind.rawValue)",
                                 title: "Guild: \(kind.label.lowercased())s", filter: .init(kind: kind, limit: Self.entries))
    }

    func member(req: Request) async throws -> Response {
        let slug = try name(req)
        guard let profile = try await Profile.find(slug: slug, on: req.db) else { throw CommonError.notFound }
        let user = try await profile.$user.get(on: req.db)
        return try await respond(req, path: "/feeds/members/\(slug).atom", page: "/m/\(slug)", title: "Guild: posts by \(user.name)",
                                 filter: .init(author: profile.$user.id, limit: Self.entries))
    }

    func respond(_ req: Request, path: String, page: String, title: String, filter: Posts.Filter) async throws -> Response {
        var filter = filter
        filter.membersOnlyToo = false  // a feed is public, whoever asks
        let posts = try await Posts.list(filter, on: req.db)
        let niches = try await Posts.niches(of: posts.map(\.id), on: req.db)
        let base = req.application.guildConfig.baseURL
        let host = URL(string: base)?.host ?? "localhost"
        let newest = posts.map(\.updated_at).max() ?? Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01: an empty feed's fixed time
        let feed = AtomFeed(
            id: AtomFeed.tagURI(host: host, minted: Date(timeIntervalSince1970: 1_795_046_400), path: path), title: title,
            subtitle: "Tips, horror stories, mistakes, triumphs, tools, case studies and questions from Guild members.",
            selfURL: base + path, alternateURL: base + page, fallbackAuthor: "Guild members", updated: newest,
            entries: posts.map { post in
                AtomFeed.Entry(
                    id: AtomFeed.tagURI(host: host, minted: post.created_at, path: "post/\(post.id.uuidString.lowercased())"),
                    title: "\(post.kindValue.label): \(post.title)", link: base + "/posts/\(post.id.uuidString.lowercased())",
                    published: post.created_at, updated: post.updated_at,
                    author: post.anonymous ? nil : post.author_name, authorURI: post.author_slug.map { base + "/m/\($0)" },
                    categories: (niches[post.id] ?? []).map(\.name) + [post.kindValue.label], summary: nil, contentHTML: post.body_html)
            })
        let body = feed.xml
        let etag = "\"" + SHA256.hash(data: Data(body.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPHeaders = ["Content-Type": "application/atom+xml; charset=utf-8", "ETag": etag,
                                    "Cache-Control": "public, max-age=300"]
        headers.replaceOrAdd(name: .lastModified, value: Self.httpDate(newest))
        if let match = req.headers.first(name: .ifNoneMatch) {
            if match.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).contains(where: { $0 == etag || $0 == "*" }) {
                return Response(status: .notModified, headers: headers)
            }
        } else if let since = req.headers.first(name: .ifModifiedSince).flatMap(Self.parseHTTPDate),
                  floor(newest.timeIntervalSince1970) <= since.timeIntervalSince1970 {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    static func httpDate(_ date: Date) -> String { httpDateFormatter.string(from: date) }
    static func parseHTTPDate(_ text: String) -> Date? { httpDateFormatter.date(from: text) }

    static let httpDateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()
}
