import Foundation
import Testing

@testable import Formats

@Suite("OPML and fetched feeds")
struct FeedFormatsTests {
    @Test("OPML round trip: titles, addresses and reasons with XML's special characters come back as written")
    func opmlRoundTrip() throws {
        let feeds = [
            OPML.Feed(title: "Ada's <Books> & \"Ledgers\"", feedURL: "https://ada.example/feed.xml?a=1&b=2", siteURL: "https://ada.example/",
                      description: "Clear on payroll;\nshort posts"),
            OPML.Feed(title: "Café Marketing", feedURL: "http://cafe.example/rss", siteURL: ""),
        ]
        let written = OPML(title: "Guild blogroll: Bookkeeping & payroll", feeds: feeds).render(created: Date(timeIntervalSince1970: 0))
        #expect(written.contains("<dateCreated>Thu, 01 Jan 1970 00:00:00 GMT</dateCreated>"))
        let read = try OPML.parse(Data(written.utf8))
        #expect(read.title == "Guild blogroll: Bookkeeping & payroll")
        #expect(read.feeds.map(\.title) == feeds.map(\.title))
        #expect(read.feeds.map(\.feedURL) == feeds.map(\.feedURL))
        #expect(read.feeds.map(\.siteURL) == ["https://ada.example/", ""])
        #expect(read.feeds[0].description == "Clear on payroll; short posts")
    }

    @Test("OPML from feed readers: folders, text without title, odd attribute case; not OPML and broken XML are named")
    func opmlFromReaders() throws {
        let exported = """
            <?xml version="1.0"?>
            <opml version="1.0"><head><title>Feedly</title></head><body>
              <outline text="Marketing" title="Marketing">
                <outline type="rss" text="Seth's Blog" xmlUrl="https://seths.blog/feed/" htmlUrl="https://seths.blog"/>
                <outline type="rss" text="No feed here"/>
              </outline>
              <outline TYPE="rss" TEXT="Shouty" XMLURL="https://shouty.example/atom"/>
            </body></opml>
            """
        let read = try OPML.parse(Data(exported.utf8))
        #expect(read.feeds.map(\.title) == ["Seth's Blog", "Shouty"])
        #expect(read.feeds.map(\.feedURL) == ["https://seths.blog/feed/", "https://shouty.example/atom"])
        #expect(throws: OPML.ParseError.notOPML) { try OPML.parse(Data("<rss><channel/></rss>".utf8)) }
        #expect(throws: OPML.ParseError.self) { try OPML.parse(Data("<opml><body><outline".utf8)) }
    }

    @Test("an entity declared to reach a local file is never resolved")
    func noExternalEntities() throws {
        let hostile = """
            <?xml version="1.0"?>
            <!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <opml version="2.0"><head><title>&secret;</title></head><body>
            <outline type="rss" text="x" xmlUrl="https://x.example/feed"/></body></opml>
            """
        let read = try? OPML.parse(Data(hostile.utf8))
        #expect(read?.title.contains("root:") != true)
    }

    @Test("RSS 2.0: items with guid, link, date and HTML reduced to text")
    func rss() throws {
        let rss = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
              <title>Seth&apos;s Blog</title><link>https://seths.blog</link>
              <item><title>The &lt;b&gt;long&lt;/b&gt; run</title><link>https://seths.blog/2026/11/long/</link>
                <guid isPermaLink="false">seths-1</guid><pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate>
                <description><![CDATA[<p>Most <em>marketing</em> is a sprint.<script>alert(1)</script></p>]]></description></item>
              <item><title>Second</title><link>javascript:alert(1)</link><content:encoded>&lt;p&gt;Only content &amp;amp; more&lt;/p&gt;</content:encoded></item>
            </channel></rss>
            """
        let feed = try FeedDocument.parse(Data(rss.utf8))
        #expect(feed.title == "Seth's Blog" && feed.siteURL == "https://seths.blog")
        #expect(feed.items.map(\.title) == ["The long run", "Second"])
        #expect(feed.items[0].id == "seths-1" && feed.items[0].link == "https://seths.blog/2026/11/long/")
        #expect(feed.items[0].summary == "Most marketing is a sprint.")
        #expect(feed.items[0].published == Date(timeIntervalSince1970: 1_795_512_600))
        #expect(feed.items[1].id == "javascript:alert(1)" && feed.items[1].summary == "Only content & more")
    }

    @Test("Atom 1.0: alternate links, ids, updated dates, summaries")
    func atom() throws {
        let atom = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Ledgers</title>
              <link rel="self" href="https://ledgers.example/atom.xml"/><link href="https://ledgers.example/"/>
              <entry><title>Close the month in a day</title><id>tag:ledgers.example,2026:1</id>
                <link rel="alternate" href="https://ledgers.example/close"/><updated>2026-11-20T08:00:00Z</updated>
                <summary type="html">&lt;p&gt;Reconcile daily.&lt;/p&gt;</summary></entry>
            </feed>
            """
        let feed = try FeedDocument.parse(Data(atom.utf8))
        #expect(feed.title == "Ledgers" && feed.siteURL == "https://ledgers.example/")
        #expect(feed.items.count == 1)
        #expect(feed.items[0].link == "https://ledgers.example/close" && feed.items[0].id == "tag:ledgers.example,2026:1")
        #expect(feed.items[0].summary == "Reconcile daily." && feed.items[0].published != nil)
    }

    @Test("not a feed, not XML, and a summary cut on a word")
    func malformed() {
        #expect(throws: FeedDocument.ParseError.notAFeed) { try FeedDocument.parse(Data("<html><body>hi</body></html>".utf8)) }
        #expect(throws: FeedDocument.ParseError.self) { try FeedDocument.parse(Data("<rss><channel><item><title>x".utf8)) }
        #expect(FeedDocument.plainText("one two three four", limit: 10) == "one two …")
    }
}
