import Foundation

/// An Atom 1.0 feed (RFC 4287), written by hand: a few elements, every text escaped once, and
/// characters XML 1.0 cannot carry dropped, so any parser reads it. Entry content is HTML that the
/// caller already made safe (`SafeMarkdown`); here it is only escaped into `type="html"`.
public struct AtomFeed: Sendable {
    public struct Entry: Sendable {
        public var id: String
        public var title: String
        public var link: String
        public var published: Date
        public var updated: Date
        /// Nil for posts without a named author: the element is left out, not filled with a placeholder.
        public var author: String?
        public var authorURI: String?
        public var categories: [String]
        public var summary: String?
        public var contentHTML: String

        public init(id: String, title: String, link: String, published: Date, updated: Date, author: String?, authorURI: String?,
                    categories: [String], summary: String?, contentHTML: String) {
            self.id = id
            self.title = title
            self.link = link
            self.published = published
            self.updated = updated
            self.author = author
            self.authorURI = authorURI
            self.categories = categories
            self.summary = summary
            self.contentHTML = contentHTML
        }
    }

    public var id: String
    public var title: String
    public var subtitle: String?
    public var selfURL: String
    public var alternateURL: String
    /// The feed's author when entries have none (RFC 4287 §4.1.1 asks for one or the other).
    public var fallbackAuthor: String
    public var updated: Date
    public var entries: [Entry]

    public init(id: String, title: String, subtitle: String?, selfURL: String, alternateURL: String, fallbackAuthor: String,
                updated: Date, entries: [Entry]) {
        self.id = id
        self.title = title
        self.subtitle = subtitle
        self.selfURL = selfURL
        self.alternateURL = alternateURL
        self.fallbackAuthor = fallbackAuthor
        self.updated = updated
        self.entries = entries
    }

    public var xml: String {
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        out += "  <id>\(Self.escape(id))</id>\n"
        out += "  <title>\(Self.escape(title))</title>\n"
        if let subtitle { out += "  <subtitle>\(Self.escape(subtitle))</subtitle>\n" }
        out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(Self.escape(selfURL))\"/>\n"
        out += "  <link rel=\"alternate\" type=\"text/html\" href=\"\(Self.escape(alternateURL))\"/>\n"
        out += "  <updated>\(Self.timestamp(updated))</updated>\n"
        out += "  <author><name>\(Self.escape(fallbackAuthor))</name></author>\n"
        out += "  <generator>Guild</generator>\n"
        for entry in entries {
            out += "  <entry>\n"
            out += "    <id>\(Self.escape(entry.id))</id>\n"
            out += "    <title type=\"text\">\(Self.escape(entry.title))</title>\n"
            out += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(Self.escape(entry.link))\"/>\n"
            out += "    <published>\(Self.timestamp(entry.published))</published>\n"
            out += "    <updated>\(Self.timestamp(entry.updated))</updated>\n"
            if let author = entry.author {
                out += "    <author><name>\(Self.escape(author))</name>"
                if let uri = entry.authorURI { out += "<uri>\(Self.escape(uri))</uri>" }
                out += "</author>\n"
            }
            for category in entry.categories { out += "    <category term=\"\(Self.escape(category))\"/>\n" }
            if let summary = entry.summary { out += "    <summary type=\"text\">\(Self.escape(summary))</summary>\n" }
            out += "    <content type=\"html\">\(Self.escape(entry.contentHTML))</content>\n"
            out += "  </entry>\n"
        }
        return out + "</feed>\n"
    }

    /// Escapes text for XML element content and attribute values, dropping what XML 1.0 forbids
    /// (controls other than tab and line breaks, lone surrogates cannot occur in Swift, U+FFFE/FFFF).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF || (0x7F...0x84).contains(value) || (0x86...0x9F).contains(value) {
                    continue
                }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// RFC 3339 in UTC, to the second.
    public static func timestamp(_ date: Date) -> String { rfc3339.string(from: date) }

    /// A tag URI (RFC 4151) that never changes for a thing: `tag:host,YYYY-MM-DD:kind/id`.
    public static func tagURI(host: String, minted: Date, path: String) -> String {
        "tag:\(host.lowercased()),\(day.string(from: minted)):\(path)"
    }

    // One formatter each for every feed: making one per date (two per entry) was most of a
    // 50-entry feed's 11 ms.
    private static let rfc3339: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter
    }()

    private static let day: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()
}
