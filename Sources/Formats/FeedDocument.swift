import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A fetched RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 feed, read with Foundation's `XMLParser` (libxml2,
/// streaming, external entities never resolved): its title and site, and its items as plain text.
/// HTML in titles and summaries is reduced to text, so nothing a blog writes reaches a page as markup.
public struct FeedDocument: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        /// The guid or Atom id; the link when there is neither.
        public var id: String
        public var title: String
        public var link: String
        public var summary: String
        public var published: Date?

        public init(id: String, title: String, link: String, summary: String, published: Date?) {
            self.id = id
            self.title = title
            self.link = link
            self.summary = summary
            self.published = published
        }
    }

    public var title: String
    public var siteURL: String
    public var items: [Item]

    public init(title: String, siteURL: String, items: [Item]) {
        self.title = title
        self.siteURL = siteURL
        self.items = items
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notXML(line: Int)
        case notAFeed

        public var description: String {
            switch self {
            case .notXML(let line): "not well-formed XML (line \(line))"
            case .notAFeed: "XML, but not an RSS or Atom feed"
            }
        }
    }

    /// Items kept per feed, newest first as the feed lists them.
    public static let itemLimit = 20
    public static let summaryLength = 280

    public static func parse(_ data: Data) throws -> FeedDocument {
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        // Foundation's parser on Linux can report success for a document cut off mid-element: an
        // element still open at the end is as malformed as a syntax error.
        guard (parser.parse() && reader.openElements == 0) || reader.done else { throw ParseError.notXML(line: parser.lineNumber) }
        guard reader.kind != nil else { throw ParseError.notAFeed }
        return FeedDocument(title: plainText(reader.feedTitle, limit: 200), siteURL: reader.siteURL.trimmingCharacters(in: .whitespaces),
                            items: reader.items)
    }

    private final class Reader: NSObject, XMLParserDelegate {
        enum Kind { case rss, atom }
        var kind: Kind?
        var feedTitle = "", siteURL = ""
        var items: [Item] = []
        var done = false
        private var stack: [String] = []
        var openElements: Int { stack.count }
        private var text = ""
        private var current: (id: String, title: String, link: String, summary: String, content: String, date: String)?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let local = name.split(separator: ":").last.map(String.init)?.lowercased() ?? name.lowercased()
            if stack.isEmpty {
                switch local {
                case "rss", "rdf": kind = .rss
                case "feed": kind = .atom
                default: break
                }
            }
            stack.append(local)
            text = ""
            if local == "item" || local == "entry" { current = ("", "", "", "", "", "") }
            if local == "link", kind == .atom, let href = attributes["href"] {
                let rel = attributes["rel"] ?? "alternate"
                guard rel == "alternate" else { return }
                if current != nil { if current!.link.isEmpty { current!.link = href } } else if siteURL.isEmpty { siteURL = href }
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let local = stack.popLast() ?? ""
            let value = text
            text = ""
            if current != nil {
                switch local {
                case "title": current!.title = value
                case "link" where kind == .rss: current!.link = value.trimmingCharacters(in: .whitespacesAndNewlines)
                case "guid", "id": current!.id = value.trimmingCharacters(in: .whitespacesAndNewlines)
                case "description", "summary": current!.summary = value
                case "encoded", "content": current!.content = value
                case "pubdate", "published", "date": current!.date = value
                case "updated" where current!.date.isEmpty: current!.date = value
                case "item", "entry":
                    let item = current!
                    current = nil
                    let link = item.link
                    let id = item.id.isEmpty ? link : item.id
                    guard !id.isEmpty || !item.title.isEmpty else { return }
                    items.append(Item(id: String(id.prefix(500)), title: FeedDocument.plainText(item.title, limit: 300),
                                      link: link, summary: FeedDocument.plainText(item.summary.isEmpty ? item.content : item.summary,
                                                                                  limit: FeedDocument.summaryLength),
                                      published: FeedDocument.date(item.date)))
                    if items.count >= FeedDocument.itemLimit {
                        done = true
                        parser.abortParsing()
                    }
                default: break
                }
                return
            }
            // The channel's (RSS) or feed's (Atom) own title and site.
            let depth = stack.count
            if local == "title", feedTitle.isEmpty, (kind == .atom && depth == 1) || (kind == .rss && depth == 2) { feedTitle = value }
            if local == "link", kind == .rss, siteURL.isEmpty, depth == 2 { siteURL = value.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
    }

    /// Text without tags, entities decoded, whitespace collapsed, cut at `limit` characters on a word.
    public static func plainText(_ html: String, limit: Int) -> String {
        func stripTags(_ text: String) -> String {
            // Block tags part words; inline ones (<b>, <a>, <em>) sit inside them.
            text.replacing(/<\/?(p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|section|article)\b[^>]*>/.ignoresCase(), with: " ")
                .replacing(/<[^>]*>/, with: "")
        }
        var text = html.replacing(/<(script|style)[^>]*>.*?<\/\1>/.ignoresCase().dotMatchesNewlines(), with: " ")
        text = decodeEntities(stripTags(text))
        // A second pass: feeds that escape their HTML twice leave tags after one decoding.
        text = stripTags(text)
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } })
        var out = ""
        for word in words {
            if out.count + word.count + 1 > limit {
                return out.isEmpty ? String(word.prefix(limit - 1)) + "…" : out + " …"
            }
            out += out.isEmpty ? String(word) : " " + word
        }
        return out
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "mdash": "—", "ndash": "–",
                     "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“"]
        return text.replacing(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/) { match in
            let body = String(match.output.1)
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                return UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? ""
            }
            if body.hasPrefix("#") { return UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) } ?? "" }
            return named[body] ?? String(match.output.0)
        }
    }

    /// RFC 822 (RSS) or RFC 3339 (Atom, Dublin Core) dates; nil when neither reads.
    public static func date(_ raw: String) -> Date? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        let iso = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            iso.formatOptions = options
            if let date = iso.date(from: text) { return date }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEE, d MMM yyyy HH:mm:ss zzz", "EEE, dd MMM yyyy HH:mm:ss Z",
                       "dd MMM yyyy HH:mm:ss zzz", "EEE, dd MMM yyyy HH:mm zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
