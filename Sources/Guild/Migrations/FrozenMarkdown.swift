// Frozen for migration 011_AddProfileBioHTML (issue 31): a copy of `SafeMarkdown` as of 2026-12-05
// (with the remote-image rule of issue 30), so the bios that migration renders never change when the
// live renderer does. Never edit: a change to the live renderer is not a change to history.
import Foundation
import Ink

/// `SafeMarkdown` frozen for migration 011. The one Markdown renderer for text written by users. Ink alone passes raw HTML, `javascript:`
/// links and quotes inside URLs straight through, so this wrapper:
/// - hides every `<` from Ink (no raw HTML can exist) and prints it back as `&lt;`,
/// - rebuilds links, images and code blocks with escaped attributes,
/// - allows only http, https and mailto URLs, or relative ones,
/// - shows an image only from this site (a path); a remote image becomes a link to it, so a writer
///   cannot learn every reader's address from a tracking pixel.
struct FrozenMarkdown: Sendable {
    /// A private-use character that stands in for `<` while Ink parses.
    static let lessThan: Character = "\u{E000}"

    init() {}

    func html(_ markdown: String) -> String {
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .links) { Self.link(html: $0.html, markdown: String($0.markdown)) })
        parser.addModifier(Modifier(target: .images) { Self.image(markdown: String($0.markdown)) })
        parser.addModifier(Modifier(target: .codeBlocks) { Self.codeBlock(html: $0.html, markdown: String($0.markdown)) })
        parser.addModifier(Modifier(target: .html) { Self.escape(String($0.markdown)) + "\n" })
        let hidden = markdown
            .replacingOccurrences(of: "\0", with: "")
            .replacingOccurrences(of: "<", with: String(Self.lessThan))
        return parser.html(from: hidden).replacingOccurrences(of: String(Self.lessThan), with: "&lt;")
    }

    /// Plain text with HTML's special characters escaped, for text and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<", lessThan: out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The URL cleaned the way browsers clean it, if its scheme is allowed; nil otherwise.
    static func allowedURL(_ raw: String) -> String? {
        // Browsers drop ASCII tabs and newlines inside URLs and trim control characters and spaces.
        let cleaned = String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
            .replacingOccurrences(of: String(lessThan), with: "<")
        guard !cleaned.isEmpty else { return nil }
        let beforePath = cleaned.prefix { !"/?#".contains($0) }
        guard let colon = beforePath.firstIndex(of: ":") else { return cleaned }  // relative
        let scheme = beforePath[..<colon].lowercased()
        return ["http", "https", "mailto"].contains(scheme) ? cleaned : nil
    }

    static func link(html: String, markdown: String) -> String {
        let url: String
        if markdown.hasSuffix(")"), let open = markdown.range(of: "](") {
            url = String(markdown[open.upperBound..<markdown.index(before: markdown.endIndex)])
        } else if let start = html.range(of: "<a href=\""), let end = html.range(of: "\">", range: start.upperBound..<html.endIndex) {
            url = String(html[start.upperBound..<end.lowerBound])
        } else {
            return escape(markdown)
        }
        let opening = "<a href=\"\(url)\">"
        guard html.hasPrefix(opening), html.hasSuffix("</a>") else { return escape(markdown) }
        let title = String(html.dropFirst(opening.count).dropLast("</a>".count))
        guard let safe = allowedURL(url) else { return title }
        return "<a href=\"\(escape(safe))\" rel=\"nofollow ugc noopener\">\(title)</a>"
    }

    static func image(markdown: String) -> String {
        guard markdown.hasPrefix("!["), markdown.hasSuffix(")"), let middle = markdown.range(of: "](") else {
            return escape(markdown)
        }
        let alt = String(markdown[markdown.index(markdown.startIndex, offsetBy: 2)..<middle.lowerBound])
            .replacingOccurrences(of: String(lessThan), with: "<")
        let url = String(markdown[middle.upperBound..<markdown.index(before: markdown.endIndex)])
        guard let safe = allowedURL(url), !safe.lowercased().hasPrefix("mailto:") else { return escape(alt) }
        guard isLocalPath(safe) else {
            return "<a href=\"\(escape(safe))\" rel=\"nofollow ugc noopener\">Image: \(escape(alt.isEmpty ? safe : alt))</a>"
        }
        return "<img src=\"\(escape(safe))\" alt=\"\(escape(alt))\" loading=\"lazy\">"
    }

    /// A path on this site: `/…` but not `//host` or `/\\host` (browsers read both as another host).
    static func isLocalPath(_ url: String) -> Bool {
        guard url.hasPrefix("/") else { return false }
        let second = url.dropFirst().first
        return second != "/" && second != "\\"
    }

    static func codeBlock(html: String, markdown: String) -> String {
        let firstLine = markdown.prefix { $0 != "\n" }
        let language = firstLine.drop { $0 == "`" || $0 == "~" }.trimmingCharacters(in: CharacterSet.whitespaces)
        let prefix = "<pre><code class=\"language-\(language)\">"
        guard !language.isEmpty, html.hasPrefix(prefix) else { return html }
        let clean = language.filter { $0.isLetter || $0.isNumber || "+-_".contains($0) }
        let body = html.dropFirst(prefix.count)
        return clean.isEmpty ? "<pre><code>" + body : "<pre><code class=\"language-\(clean)\">" + body
    }
}

