import Fluent
import FoundationXML
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// Posting as the people of `LedgerCast`, through the API.
private func postJSON(kind: String = "tip", title: String = "Invoice on the day you finish", body: String = "Not at the end of the month.",
                      niches: String = #"["bookkeeping"]"#, extra: String = "") -> String {
    #"{"kind":"\#(kind)","title":"\#(title)","body":"\#(body)","niches":\#(niches)\#(extra)}"#
}

private func created(_ response: TestingHTTPResponse) throws -> String {
    struct Made: Decodable { var id: String }
    return try JSONDecoder().decode(Made.self, from: Data(response.body.readableBytesView)).id
}

/// Makes an account old enough to post without a name.
private func age(_ user: User, on app: Application) async throws {
    try await app.db.sql.raw("UPDATE users SET created_at = \(bind: Date().addingTimeInterval(-3 * 86_400)) WHERE id = \(bind: user.requireID())").run()
}

/// A feed parsed by Foundation's XML parser: its entries' titles, authors and contents.
private final class FeedReader: NSObject, XMLParserDelegate, @unchecked Sendable {
    var titles: [String] = [], authors: [String] = [], contents: [String] = [], ids: [String] = []
    private var path: [String] = [], text = ""

    static func read(_ xml: String) throws -> FeedReader {
        let reader = FeedReader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CommonError.notFound }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let inEntry = path.contains("entry")
        if inEntry && name == "title" { titles.append(text) }
        if inEntry && name == "name" { authors.append(text) }
        if inEntry && name == "content" { contents.append(text) }
        if inEntry && name == "id" { ids.append(text) }
        path.removeLast()
        text = ""
    }
}

@Suite("Knowledge: posts and their feeds")
struct PostsTests {
    @Test("a horror story without a name keeps no trace of its author: not in the row, the page, the API, the feeds")
    func anonymity() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await LedgerCast.make(app)
            try await age(cast.giver, on: app)
            // act
            let made = try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(
                kind: "horror_story", title: "The client who paid in exposure", body: "Never again.", extra: #","anonymous":true"#), on: app)
            // assert
            #expect(made.status == .created)
            let id = try created(made)
            let giverID = try cast.giver.requireID()
            let traces = [giverID.uuidString, giverID.uuidString.lowercased(), cast.giver.name, cast.giver.email, "gina-giver"]
            struct Row: Decodable { var author_id: UUID?; var created_at: Date; var everything: String }
            let row = try #require(try await app.db.sql.raw("""
                SELECT author_id, created_at, id || kind || title || body || body_html || visibility AS everything FROM posts
                """).first(decoding: Row.self))
            #expect(row.author_id == nil && !traces.contains { row.everything.contains($0) })
            #expect(row.created_at == Calendar.utc.startOfDay(for: row.created_at))  // the day, not the minute
            for path in ["/posts/\(id)", "/posts", "/feeds/posts.atom", "/feeds/kinds/horror_story.atom", "/feeds/niches/bookkeeping.atom"] {
                let body = try await app.testing().sendRequest(.GET, path).body.string
                #expect(body.contains("The client who paid in exposure"), "\(path)")
                #expect(!traces.contains { body.contains($0) }, "\(path) names the author")
            }
            let json = try await api(.GET, "/api/v1/posts/\(id)", token: cast.otherToken, on: app).body.string
            #expect(json.contains(#""anonymous":true"#) && !json.contains(#""author""#) && !traces.contains { json.contains($0) })
            #expect(!(try await app.testing().sendRequest(.GET, "/feeds/members/gina-giver.atom").body.string.contains("exposure")))
            // nobody can edit it, its writer included: Guild does not know who that is
            #expect(try await api(.PATCH, "/api/v1/posts/\(id)", token: cast.giverToken, json: #"{"title":"Mine"}"#, on: app).status == .notFound)
        }
    }

    @Test("an anonymous post leaves no exact time anywhere: no throttle row, no token use, a random place among rows; three a day per account")
    func anonymousLeavesNoTime() async throws {
        try await withGuild { app, _ in
            // setup: a named post first, so an anonymous one could be placed after it
            let cast = try await LedgerCast.make(app)
            try await age(cast.giver, on: app)
            #expect(try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(title: "A named tip"), on: app).status == .created)
            struct Used: Decodable { var last_used_at: Date? }
            let usedBefore = try await app.db.sql.raw("SELECT last_used_at FROM api_tokens WHERE user_id = \(bind: cast.giver.requireID())")
                .all(decoding: Used.self).compactMap(\.last_used_at).max()
            let throttleBefore = try await app.count("throttle_events")
            // act
            var statuses: [HTTPStatus] = []
            for index in 0...AnonymousPostLimit.perAccount {
                statuses.append(try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(
                    kind: "horror_story", title: "Story \(index)", body: "Never again.", extra: #","anonymous":true"#), on: app).status)
            }
            // assert: three go, the fourth is refused, and nothing written carries the moment or the account
            #expect(statuses == Array(repeating: .created, count: AnonymousPostLimit.perAccount) + [.tooManyRequests])
            #expect(try await app.count("throttle_events") == throttleBefore)
            let usedAfter = try await app.db.sql.raw("SELECT last_used_at FROM api_tokens WHERE user_id = \(bind: cast.giver.requireID())")
                .all(decoding: Used.self).compactMap(\.last_used_at).max()
            #expect(usedAfter == usedBefore)
            struct Count: Decodable { var day: String; var bucket: String; var n: Int }
            let counts = try await app.db.sql.raw("SELECT day, bucket, n FROM anonymous_post_counts").all(decoding: Count.self)
            let giverID = try cast.giver.requireID().uuidString
            #expect(counts.count == 2 && !counts.contains { $0.bucket.contains(giverID) || $0.bucket.lowercased().contains(giverID.lowercased()) })
            if TestDatabase.isSQLite {
                struct Place: Decodable { var rowid: Int64; var search_id: Int64; var author_id: UUID? }
                let rows = try await app.db.sql.raw("SELECT rowid, search_id, author_id FROM posts").all(decoding: Place.self)
                let named = try #require(rows.first { $0.author_id != nil })
                #expect(rows.filter { $0.author_id == nil }.allSatisfy { $0.rowid >= PostSearchIndex.randomBase && $0.search_id >= PostSearchIndex.randomBase })
                #expect(named.rowid < PostSearchIndex.randomBase)
                // the next named post follows the named one, not an anonymous one
                #expect(try await api(.POST, "/api/v1/posts", token: cast.otherToken, json: postJSON(title: "Another tip"), on: app).status == .created)
                let next = try await app.db.sql.raw("SELECT rowid, search_id, author_id FROM posts WHERE title = 'Another tip'").first(decoding: Place.self)
                #expect(next?.rowid == named.rowid + 1)
            }
        }
    }

    @Test("only horror stories and mistakes go without a name, and only from a day-old account")
    func anonymityRules() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let young = try await api(.POST, "/api/v1/posts", token: cast.giverToken,
                                      json: postJSON(kind: "mistake", extra: #","anonymous":true"#), on: app)
            #expect(young.status == .conflict && young.body.string.contains(#""field":"anonymous""#))
            try await age(cast.giver, on: app)
            let tip = try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(extra: #","anonymous":true"#), on: app)
            #expect(tip.status == .unprocessableEntity && tip.body.string.contains(#""field":"anonymous""#))
            #expect(try await app.count("posts") == 0)
        }
    }

    @Test("members-only posts: for members by page and API, never in a feed or an anonymous call")
    func membersOnly() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let made = try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(
                title: "Our rates, honestly", extra: #","visibility":"members""#), on: app)
            let id = try created(made)
            #expect(try await api(.GET, "/api/v1/posts/\(id)", token: nil, on: app).status == .notFound)
            #expect(try await api(.GET, "/api/v1/posts/\(id)", token: cast.otherToken, on: app).status == .ok)
            #expect(!(try await api(.GET, "/api/v1/posts", token: nil, on: app).body.string.contains("Our rates")))
            #expect(try await api(.GET, "/api/v1/posts", token: cast.otherToken, on: app).body.string.contains("Our rates"))
            for feed in ["/feeds/posts.atom", "/feeds/niches/bookkeeping.atom", "/feeds/kinds/tip.atom", "/feeds/members/gina-giver.atom"] {
                #expect(!(try await app.testing().sendRequest(.GET, feed).body.string.contains("Our rates")), "\(feed)")
            }
            #expect(try await app.testing().sendRequest(.GET, "/posts/\(id)").status == .seeOther)  // to the sign-in page
            let olga = Browser(app)
            _ = try await olga.signIn(email: cast.other.email)
            #expect(try await olga.get("/posts/\(id)").body.string.contains("Our rates"))
        }
    }

    @Test("hostile Markdown is inert on the page and in the feed, and the feed parses", arguments: [
        "<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>", "[x](data:text/html;base64,PHNjcmlwdD4=)", "&lt;script&gt;alert(1)&lt;/script&gt;",
        "![x](https://ok.example/a.png\\\" onerror=\\\"alert(1))",
    ])
    func hostile(markdown: String) async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let escaped = markdown.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            let made = try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(body: escaped), on: app)
            #expect(made.status == .created, "\(made.body.string)")
            let id = try created(made)
            let page = try await app.testing().sendRequest(.GET, "/posts/\(id)").body.string
            let feed = try FeedReader.read(try await app.testing().sendRequest(.GET, "/feeds/posts.atom").body.string)
            // the feed's content, unescaped once by the XML parser, is the page's HTML: both must be inert
            for html in [page, try #require(feed.contents.first)] {
                for hostile in ["<script", "javascript:", "<img src=x", "<svg", "data:text/html"] {
                    #expect(!html.lowercased().contains(hostile), "\(hostile) in \(html.prefix(400))")
                }
                // an event handler inside a real tag (as text, "&lt;svg onload=…&gt;", it is harmless)
                #expect(html.lowercased().firstMatch(of: /<[a-z][^>]*\son[a-z]+\s*=/) == nil, "\(html.prefix(400))")
            }
        }
    }

    @Test("feeds: every kind of feed parses with its entries, authors named, tag ids stable, 304 when current")
    func feeds() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await LedgerCast.make(app)
            _ = try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: postJSON(title: "Tip one & <two>"), on: app)
            _ = try await api(.POST, "/api/v1/posts", token: cast.otherToken, json: postJSON(
                kind: "question", title: "Who does payroll for tips?", niches: #"["payroll services","bookkeeping"]"#), on: app)
            // act + assert
            let all = try await app.testing().sendRequest(.GET, "/feeds/posts.atom")
            #expect(all.headers.contentType?.description.hasPrefix("application/atom+xml") == true)
            let reader = try FeedReader.read(all.body.string)
            #expect(reader.titles.sorted() == ["Question: Who does payroll for tips?", "Tip: Tip one & <two>"])
            #expect(Set(reader.authors) == ["Gina Giver", "Olga Other"])
            #expect(reader.ids.allSatisfy { $0.hasPrefix("tag:localhost,") && $0.contains(":post/") })
            #expect(try FeedReader.read(try await app.testing().sendRequest(.GET, "/feeds/niches/payroll-services.atom").body.string).titles
                    == ["Question: Who does payroll for tips?"])
            #expect(try FeedReader.read(try await app.testing().sendRequest(.GET, "/feeds/kinds/tip.atom").body.string).titles
                    == ["Tip: Tip one & <two>"])
            #expect(try FeedReader.read(try await app.testing().sendRequest(.GET, "/feeds/members/olga-other.atom").body.string).titles
                    == ["Question: Who does payroll for tips?"])
            let etag = try #require(all.headers.first(name: .eTag))
            let lastModified = try #require(all.headers.first(name: .lastModified))
            #expect(try await app.testing().sendRequest(.GET, "/feeds/posts.atom", headers: ["If-None-Match": etag]).status == .notModified)
            #expect(try await app.testing().sendRequest(.GET, "/feeds/posts.atom", headers: ["If-Modified-Since": lastModified]).status == .notModified)
            #expect(try await app.testing().sendRequest(.GET, "/feeds/posts.atom", headers: ["If-None-Match": "\"stale\""]).status == .ok)
            for missing in ["/feeds/kinds/gossip.atom", "/feeds/niches/no-such-niche.atom", "/feeds/members/nobody.atom", "/feeds/kinds/tip.rss"] {
                #expect(try await app.testing().sendRequest(.GET, missing).status == .notFound, "\(missing)")
            }
            // the list page offers the feeds in its head
            #expect(try await app.testing().sendRequest(.GET, "/posts").body.string
                    .contains(#"<link rel="alternate" type="application/atom+xml" title="Guild: what members share" href="/feeds/posts.atom">"#))
        }
    }

    @Test("a case study tells the problem, what was done and the result, and may link its author's won referral")
    func caseStudy() async throws {
        try await withGuild { app, _ in
            let cast = try await ReciprocityAndExportTests.ledger(app)  // Gina gave Rob two referrals, both won
            struct Row: Decodable { var id: UUID }
            let won = try #require(try await app.db.sql.raw("SELECT id FROM referrals WHERE status = 'won'").first(decoding: Row.self)).id
            let parts = #","problem":"Books a year behind","approach":"Two weekends of receipts","result":"Filed on time""#
            let missing = try await api(.POST, "/api/v1/posts", token: cast.giverToken,
                                        json: #"{"kind":"case_study","title":"A year of books","niches":["bookkeeping"],"problem":"x"}"#, on: app)
            #expect(missing.status == .badRequest || missing.status == .unprocessableEntity)
            let made = try await api(.POST, "/api/v1/posts", token: cast.giverToken, json: """
                {"kind":"case_study","title":"A year of books","niches":["bookkeeping"]\(parts),"referralId":"\(won)"}
                """, on: app)
            #expect(made.status == .created)
            let html = made.body.string
            #expect(html.contains("The problem") && html.contains("What we did") && html.contains("Filed on time") && html.contains(won.uuidString))
            let notHers = try await api(.POST, "/api/v1/posts", token: cast.otherToken, json: """
                {"kind":"case_study","title":"Not mine","niches":["bookkeeping"]\(parts),"referralId":"\(won)"}
                """, on: app)
            #expect(notHers.status == .notFound)
        }
    }

    @Test("pages: share a tip with no JavaScript, errors by their fields, edits after 15 minutes show, the author deletes")
    func pages() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let gina = Browser(app)
            _ = try await gina.signIn(email: cast.giver.email)
            let form = try await gina.get("/posts/new").body.string
            #expect(form.contains(#"<label for="title">"#) && form.contains(#"name="kind" value="horror_story""#))
            let bad = try await gina.post("/posts", ["kind": "tip", "title": "", "body": "x", "niches": "bookkeeping", "visibility": "public"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains(#"id="title-error""#))
            let unknown = try await gina.post("/posts", ["kind": "tip", "title": "T", "body": "x", "niches": "underwater origami"])
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains(#"id="niches-error""#))
            let posted = try await gina.post("/posts", ["kind": "tool", "title": "A receipt scanner that works", "body": "**Try it**",
                                                        "niches": "bookkeeping, payroll services", "visibility": "public"])
            #expect(posted.status == .seeOther)
            let location = try #require(posted.headers.first(name: .location))
            let page = try await gina.get(location).body.string
            #expect(page.contains("<strong>Try it</strong>") && page.contains("Payroll services") && !page.contains("edited"))
            #expect(try await gina.post("\(location)/edit", ["title": "A receipt scanner that works", "body": "Fixed a typo",
                                                              "niches": "bookkeeping", "visibility": "public"]).status == .seeOther)
            #expect(!(try await gina.get(location).body.string.contains("· edited")))
            try await app.db.sql.raw("UPDATE posts SET created_at = \(bind: Date().addingTimeInterval(-3600))").run()
            _ = try await gina.post("\(location)/edit", ["title": "A receipt scanner that works", "body": "Another change",
                                                         "niches": "bookkeeping", "visibility": "public"])
            #expect(try await gina.get(location).body.string.contains("· edited"))
            let list = try await app.testing().sendRequest(.GET, "/posts?kind=tool").body.string
            #expect(list.contains("A receipt scanner that works"))
            #expect(!(try await app.testing().sendRequest(.GET, "/posts?kind=question").body.string.contains("receipt scanner")))
            #expect(try await gina.post("\(location)/delete", [:]).status == .seeOther)
            #expect(try await app.count("posts") == 0)
        }
    }
}
