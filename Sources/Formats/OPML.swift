import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// OPML 2.0 (http://opml.org/spec2.opml) subscription lists, as feed readers import and export them:
/// one `<outline type="rss">` per feed with `xmlUrl`, `htmlUrl`, `text` and `title`, and here a
/// `description` saying why it is recommended. Reading accepts any nesting (readers group feeds in
/// folders) and keeps every outline that has an `xmlUrl`.
public struct OPML: Sendable, Equatable {
    public struct Feed: Sendable, Equatable {
        public var title: String
        public var feedURL: String
        public var siteURL: String
        public var description: String

        public init(title: String, feedURL: String, siteURL: String, description: String = "") {
            self.title = title
            self.feedURL = feedURL
            self.siteURL = siteURL
            self.description = description
        }
    }

    public var title: String
    public var feeds: [Feed]

    public init(title: String, feeds: [Feed]) {
        self.title = title
        self.feeds = feeds
    }

    public func render(created: Date) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0">
              <head>
                <title>\(AtomFeed.escape(title))</title>
                <dateCreated>\(Self.rfc822(created))</dateCreated>
                <docs>http://opml.org/spec2.opml</docs>
              </head>
              <body>

            """
        for feed in feeds {
            let title = AtomFeed.escape(feed.title)
            out += "    <outline type=\"rss\" text=\"\(title)\" title=\"\(title)\" xmlUrl=\"\(AtomFeed.escape(feed.feedURL))\""
            if !feed.siteURL.isEmpty { out += " htmlUrl=\"\(AtomFeed.escape(feed.siteURL))\"" }
            if !feed.description.isEmpty { out += " description=\"\(AtomFeed.escape(Self.oneLine(feed.description)))\"" }
            out += "/>\n"
        }
        return out + "  </body>\n</opml>\n"
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notXML(line: Int, reason: String)
        case notOPML
        case tooManyFeeds(Int)

        public var description: String {
            switch self {
            case .notXML(let line, let reason): "The file is not well-formed XML (line \(line): \(reason))."
            case .notOPML: "The file is XML but not OPML: it has no <opml> element."
            case .tooManyFeeds(let limit): "The file lists more than \(limit) feeds."
            }
        }
    }

    public static let feedLimit = 1_000

    /// The feeds of an OPML document. External entities are never resolved.
    public static func parse(_ data: Data) throws -> OPML {
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        // Foundation's parser on Linux can report success for a document cut off mid-element: an
        // element still open at the end is as malformed as a syntax error.
        if !parser.parse() || reader.depth != 0 {
            if let error = reader.error { throw error }
            throw ParseError.notXML(line: parser.lineNumber, reason: parser.parserError.map { "error \(($0 as NSError).code)" } ?? "an element is not closed")
        }
        guard reader.sawOPML else { throw ParseError.notOPML }
        return OPML(title: reader.title.trimmingCharacters(in: .whitespacesAndNewlines), feeds: reader.feeds)
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var feeds: [Feed] = []
        var title = ""
        var sawOPML = false
        var error: ParseError?
        var depth = 0
        private var inHeadTitle = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            depth += 1
            switch name.lowercased() {
            case "opml": sawOPML = true
            case "title": inHeadTitle = feeds.isEmpty
            case "outline":
                guard let xmlURL = attributes.first(where: { $0.key.lowercased() == "xmlurl" })?.value.trimmingCharacters(in: .whitespaces),
                      !xmlURL.isEmpty else { return }
                guard feeds.count < OPML.feedLimit else {
                    error = .tooManyFeeds(OPML.feedLimit)
                    parser.abortParsing()
                    return
                }
                let value = { (key: String) in attributes.first { $0.key.lowercased() == key }?.value ?? "" }
                let title = value("title").isEmpty ? value("text") : value("title")
                feeds.append(Feed(title: title.trimmingCharacters(in: .whitespacesAndNewlines), feedURL: xmlURL,
                                  siteURL: value("htmlurl").trimmingCharacters(in: .whitespaces), description: value("description")))
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inHeadTitle { title += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if name.lowercased() == "title" { inHeadTitle = false }
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// RFC 822 dates, as OPML's `dateCreated` and RSS's `pubDate` use them.
    static func rfc822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
