import AsyncHTTPClient
import Fluent
import Formats
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// A feed server on 127.0.0.1 for the fetcher to read: good, huge, slow, looping, malformed and
/// conditional feeds, and a count of the requests it answered.
private func withFeedServer(_ body: (_ base: String, _ hits: NIOLockedValueBox<[String]>) async throws -> Void) async throws {
    let server = try await Application.make(.testing)
    let hits = NIOLockedValueBox<[String]>([])
    let rss = """
        <?xml version="1.0"?><rss version="2.0"><channel><title>Ledger Notes</title><link>https://ledgers.example/</link>
        <item><title>Close the month in a day</title><link>https://ledgers.example/close</link><guid>close</guid>
        <pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate><description>&lt;p&gt;Reconcile &lt;b&gt;daily&lt;/b&gt;.&lt;/p&gt;</description></item>
        <item><title>A sneaky one</title><link>javascript:alert(1)</link><guid>sneaky</guid></item>
        </channel></rss>
        """
    server.middleware.use(RecordingMiddleware(hits: hits))
    server.get("good.xml") { req -> Response in
        if req.headers.first(name: "If-None-Match") == "\"v1\"" { return Response(status: .notModified) }
        return Response(status: .ok, headers: ["Content-Type": "application/rss+xml", "ETag": "\"v1\""], body: .init(string: rss))
    }
    server.get("huge.xml") { _ in
        Response(status: .ok, body: .init(string: "<rss><channel>" + String(repeating: "<item><title>x</title></item>", count: 110_000)))
    }
    server.get("slow.xml") { _ async throws -> String in
        try await Task.sleep(for: .seconds(3))
        return rss
    }
    server.get("loop") { req in req.redirect(to: "/loop") }
    server.get("hop") { req in req.redirect(to: "/good.xml") }
    server.get("malformed.xml") { _ in "<rss><channel><item><title>Broken" }
    server.get("page.html") { _ in Response(status: .ok, headers: ["Content-Type": "text/html"], body: .init(string: "<html><body>Hi</body></html>")) }
    server.http.server.configuration.hostname = "127.0.0.1"
    server.http.server.configuration.port = 0
    try await server.server.start(address: .hostname("127.0.0.1", port: 0))
    do {
        let port = try #require(server.http.server.shared.localAddress?.port)
        try await body("http://127.0.0.1:\(port)", hits)
    } catch {
        await server.server.shutdown()
        try await server.asyncShutdown()
        throw error
    }
    await server.server.shutdown()
    try await server.asyncShutdown()
}

private struct RecordingMiddleware: AsyncMiddleware {
    let hits: NIOLockedValueBox<[String]>
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        hits.withLockedValue { $0.append(request.url.path) }
        return try await next.respond(to: request)
    }
}

private func withClient(_ body: (HTTPClient) async throws -> Void) async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
        redirectConfiguration: .disallow, timeout: .init(connect: .seconds(2), read: .seconds(5))))
    do { try await body(client) } catch { try await client.shutdown(); throw error }
    try await client.shutdown()
}

@Suite("Knowledge: the blogroll and the feed fetcher")
struct BlogrollTests {
    @Test("a member names their blog and recommends another with a reason; the niche's blogroll and OPML show both; bad input names its field")
    func recommend() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let browser = Browser(app)
            try await browser.signIn(email: cast.receiver.email)
            let own = try await browser.post("/blogroll", ["feedUrl": "https://rob.example/feed.xml", "title": "Rob's Books", "own": "yes",
                                                          "niches": "bookkeeping"])
            #expect(own.status == .seeOther)
            let other = try await browser.post("/blogroll", ["feedUrl": "HTTPS://Ledgers.Example/atom.xml", "siteUrl": "https://ledgers.example/",
                                                            "title": "Ledger Notes", "reason": "Clear & short on month-end.",
                                                            "niches": "bookkeeping, payroll services"])
            #expect(other.status == .seeOther)
            let bad = try await browser.post("/blogroll", ["feedUrl": "javascript:alert(1)", "reason": "x", "niches": "bookkeeping"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("feedUrl-error"))
            let noReason = try await browser.post("/blogroll", ["feedUrl": "https://x.example/rss", "niches": "bookkeeping"])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("reason-error"))
            let unknown = try await browser.post("/blogroll", ["feedUrl": "https://x.example/rss", "reason": "Good", "niches": "underwater basketry"])
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains("niches-error"))
            // the niche's page and its OPML
            let page = try await app.testing().sendRequest(.GET, "/n/bookkeeping/blogroll").body.string
            #expect(page.contains("Rob&#39;s Books") || page.contains("Rob's Books"))
            #expect(page.contains("Clear &amp; short on month-end."))
            let opml = try await app.testing().sendRequest(.GET, "/blogroll/niches/bookkeeping.opml")
            #expect(opml.headers.contentType?.description.hasPrefix("text/x-opml") == true)
            let read = try OPML.parse(Data(opml.body.readableBytesView))
            #expect(Set(read.feeds.map(\.feedURL)) == ["https://rob.example/feed.xml", "https://ledgers.example/atom.xml"])
            #expect(read.feeds.first { $0.feedURL.contains("ledgers") }?.description == "Rob Receiver: Clear & short on month-end.")
            let payroll = try OPML.parse(Data(try await app.testing().sendRequest(.GET, "/blogroll/niches/payroll-services.opml").body.readableBytesView))
            #expect(payroll.feeds.map(\.title) == ["Ledger Notes"])
            let member = try OPML.parse(Data(try await app.testing().sendRequest(.GET, "/blogroll/members/\(cast.receiverSlug).opml").body.readableBytesView))
            #expect(member.feeds.map(\.title) == ["Rob's Books", "Ledger Notes"])
            // API
            let made = try await api(.POST, "/api/v1/blogroll", token: cast.otherToken, json: """
                {"feedUrl":"https://ledgers.example/atom.xml","reason":"Olga reads it too","niches":["bookkeeping"]}
                """, on: app)
            #expect(made.status == .created)
            let niche = try await api(.GET, "/api/v1/blogroll/niches/bookkeeping", token: nil, on: app).body.string
            #expect(niche.contains("Olga reads it too") && niche.contains("Rob's Books"))
            let apiOPML = try await api(.GET, "/api/v1/blogroll/niches/bookkeeping.opml", token: nil, on: app)
            #expect(apiOPML.headers.contentType?.description.hasPrefix("text/x-opml") == true)
            #expect(try OPML.parse(Data(apiOPML.body.readableBytesView)).feeds.count == 2)
            // A client whose Accept rules OPML out gets 406, not a 500; one that accepts anything gets it.
            let strict = try await app.testing().sendRequest(.GET, "/api/v1/blogroll/niches/bookkeeping.opml", headers: ["Accept": "application/json"])
            #expect(strict.status == .notAcceptable)
            let lenient = try await app.testing().sendRequest(.GET, "/api/v1/blogroll/niches/bookkeeping.opml", headers: ["Accept": "text/x-opml, */*;q=0.1"])
            #expect(lenient.status == .ok)
            for bad in ["HTTPS://0*", "https://a.example/#top", "https://user:pw@a.example/", "https://a.example:99999/", "https://a.example/%zz"] {
                #expect(Blogroll.normalizedURL(bad) == nil, "\(bad)")
            }
            #expect(Blogroll.normalizedURL("https://A.Example:8080/feed%20x?a=1&b=2") == "https://a.example:8080/feed%20x?a=1&b=2")
            let badAPI = try await api(.POST, "/api/v1/blogroll", token: cast.otherToken, json: """
                {"feedUrl":"ftp://x.example/feed","reason":"x","niches":["bookkeeping"]}
                """, on: app)
            #expect(badAPI.status == .unprocessableEntity && badAPI.body.string.contains(#""field":"feedUrl""#))
        }
    }

    @Test("OPML import: the file's feeds are shown to pick from; only the ticked ones are saved, with the niches and reason given")
    func importOPML() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let browser = Browser(app)
            try await browser.signIn(email: cast.giver.email)
            let csrf = try await browser.currentCSRF()
            let opml = OPML(title: "My reader", feeds: [
                .init(title: "Seth's Blog", feedURL: "https://seths.blog/feed/", siteURL: "https://seths.blog"),
                .init(title: "Not this one", feedURL: "https://noise.example/rss", siteURL: ""),
                .init(title: "Broken", feedURL: "gopher://old.example/feed", siteURL: ""),
            ]).render(created: Date())
            let boundary = "guildboundary"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"opml\"; filename=\"feeds.opml\"\r\nContent-Type: text/x-opml\r\n\r\n"
                + opml + "\r\n--\(boundary)--\r\n"
            var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
            headers.add(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            let preview = try await app.testing().sendRequest(.POST, "/blogroll/import", headers: headers, body: ByteBuffer(string: body))
            #expect(preview.status == .ok)
            #expect(preview.body.string.contains("Seth&#39;s Blog") || preview.body.string.contains("Seth's Blog"))
            #expect(try await Blogroll.of(try cast.giver.requireID(), on: app.db).isEmpty)  // nothing saved yet
            let form = "csrf=\(csrf)&pick[]=0&pick[]=2&feedUrl[]=\(Browser.encode("https://seths.blog/feed/"))&feedUrl[]=\(Browser.encode("https://noise.example/rss"))"
                + "&feedUrl[]=\(Browser.encode("gopher://old.example/feed"))&siteUrl[]=\(Browser.encode("https://seths.blog"))&siteUrl[]=&siteUrl[]="
                + "&title[]=Seth&title[]=Noise&title[]=Broken&niches=web%20design&reason=\(Browser.encode("Short daily posts on marketing"))"
            let confirmed = try await browser.send(.POST, "/blogroll/import/confirm", body: form)
            #expect(confirmed.status == .seeOther)
            let saved = try await Blogroll.of(try cast.giver.requireID(), on: app.db)
            #expect(saved.map(\.feed_url) == ["https://seths.blog/feed/"] && saved.first?.reason == "Short daily posts on marketing")
            let flash = try await browser.get("/blogroll").body.string
            #expect(flash.contains("1 blog recommended") && flash.contains("Broken"))
            let notOPML = try await app.testing().sendRequest(.POST, "/blogroll/import", headers: headers,
                                                              body: ByteBuffer(string: body.replacingOccurrences(of: "<opml", with: "<rss")
                                                                .replacingOccurrences(of: "</opml>", with: "</rss>")))
            #expect(notOPML.status == .unprocessableEntity && notOPML.body.string.contains("not OPML"))
        }
    }

    @Test("addresses: private, loopback, link-local, mapped and NAT64 forms are refused; public ones pass")
    func addresses() {
        let refused: [[UInt8]] = [
            [10, 0, 0, 1], [172, 16, 0, 1], [192, 168, 1, 1], [127, 0, 0, 1], [169, 254, 169, 254], [100, 64, 0, 1], [0, 0, 0, 0],
            [224, 0, 0, 1], [255, 255, 255, 255],
            Array(repeating: 0, count: 15) + [1],  // ::1
            [0xFE, 0x80] + Array(repeating: 0, count: 13) + [1],  // fe80::1
            [0xFC, 0x00] + Array(repeating: 0, count: 13) + [1],  // fc00::1
            Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1],  // ::ffff:127.0.0.1
            [0x00, 0x64, 0xFF, 0x9B] + Array(repeating: 0, count: 8) + [10, 0, 0, 1],  // 64:ff9b::10.0.0.1
            [0x20, 0x02, 127, 0, 0, 1] + Array(repeating: 0, count: 10),  // 2002:7f00:1::
            [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01] + Array(repeating: 0, count: 6) + [8, 8, 8, 8],  // 64:ff9b:1::8.8.8.8 (local-use NAT64)
            Array(repeating: 0, count: 8) + [0xFF, 0xFF, 0, 0, 10, 0, 0, 1],  // ::ffff:0:10.0.0.1 (IPv4-translated)
            [0x20, 0x01, 0x00, 0x00, 0x41, 0x36] + Array(repeating: 0, count: 10),  // 2001:0:4136:: (Teredo)
            [192, 88, 99, 1],  // 6to4 relay anycast
        ]
        for address in refused { #expect(!FeedFetcher.isPublic(address), "\(address)") }
        let allowed: [[UInt8]] = [[8, 8, 8, 8], [93, 184, 216, 34], [0x26, 0x06, 0x47, 0x00] + Array(repeating: 0, count: 11) + [0x11]]
        for address in allowed { #expect(FeedFetcher.isPublic(address), "\(address)") }
    }

    @Test("the fetcher: refuses a private address without connecting; reads, caps, times out, stops redirect loops, names malformed feeds")
    func fetcher() async throws {
        try await withFeedServer { base, hits in
            try await withClient { client in
                let guarded = FeedFetcher(client: client)
                #expect(await guarded.fetch("\(base)/good.xml") == .failed(
                    "127.0.0.1 resolves to a private or reserved address; feeds are fetched from the public internet only"))
                if case .failed(let reason) = await guarded.fetch(base.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/good.xml") {
                    #expect(reason.contains("private or reserved"))
                } else { Issue.record("localhost was fetched") }
                #expect(await guarded.fetch("file:///etc/passwd") == .failed("not an http(s) address: file:///etc/passwd"))
                #expect(await guarded.fetch("http://93.184.216.34:6379/feed.xml") == .failed("only ports 80 and 443 are fetched, not 6379"))
                #expect(hits.withLockedValue { $0 }.isEmpty)
                let local = FeedFetcher(client: client, allowPrivate: true)
                var impatient = local
                impatient.deadline = .seconds(1)
                guard case .fetched(let feed, let etag, _) = await local.fetch("\(base)/good.xml") else {
                    Issue.record("the good feed was not read"); return
                }
                #expect(feed.items.map(\.title) == ["Close the month in a day", "A sneaky one"] && etag == "\"v1\"")
                #expect(await local.fetch("\(base)/good.xml", etag: "\"v1\"") == .notModified)
                #expect(await local.fetch("\(base)/huge.xml") == .failed("larger than 2 MB"))
                #expect(await impatient.fetch("\(base)/slow.xml") == .failed("timed out"))
                #expect(await local.fetch("\(base)/loop") == .failed("more than 5 redirects"))
                #expect(hits.withLockedValue { $0.filter { $0 == "/loop" }.count } == 6)
                if case .fetched = await local.fetch("\(base)/hop") {} else { Issue.record("one redirect was not followed") }
                #expect(await local.fetch("\(base)/malformed.xml") == .failed("not well-formed XML (line 1)"))
                #expect(await local.fetch("\(base)/page.html") == .failed("XML, but not an RSS or Atom feed"))
                #expect(await local.fetch("\(base)/missing") == .failed("HTTP 404"))
            }
        }
    }

    @Test("a refresh reads due feeds into 'from the blogs', as text, links only http(s); the next one asks conditionally; failures are kept")
    func refresh() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            try await withFeedServer { base, hits in
                _ = try await Blogroll.recommend(BlogDraft(feedURL: "\(base)/good.xml", siteURL: "", title: "Ledger Notes", reason: "Clear.",
                                                           niches: ["bookkeeping"], own: false), by: cast.receiver, on: app.db)
                _ = try await Blogroll.recommend(BlogDraft(feedURL: "\(base)/malformed.xml", siteURL: "", title: "Broken Blog", reason: "Hm.",
                                                           niches: ["bookkeeping"], own: false), by: cast.receiver, on: app.db)
                try await withClient { client in
                    let fetcher = FeedFetcher(client: client, allowPrivate: true)
                    let first = try await FeedRefresh.refresh(app: app, every: 3600, fetcher: fetcher)
                    #expect(first == .init(fetched: 1, unchanged: 0, failed: 1))
                    #expect(try await FeedRefresh.refresh(app: app, every: 3600, fetcher: fetcher) == .init())  // nothing due
                    let again = try await FeedRefresh.refresh(app: app, every: 3600, all: true, fetcher: fetcher)
                    #expect(again == .init(fetched: 0, unchanged: 1, failed: 1))
                }
                #expect(hits.withLockedValue { $0.filter { $0 == "/good.xml" }.count } == 2)
                let page = try await app.testing().sendRequest(.GET, "/n/bookkeeping/blogroll").body.string
                #expect(page.contains(#"<a href="https://ledgers.example/close" rel="nofollow ugc noopener">Close the month in a day</a>"#))
                #expect(page.contains("Reconcile daily.") && page.contains("A sneaky one") && !page.contains("javascript:"))
                let mine = try await Blogroll.of(try cast.receiver.requireID(), on: app.db)
                #expect(mine.first { $0.title == "Broken Blog" }?.last_error == "not well-formed XML (line 1)")
            }
        }
    }
}
