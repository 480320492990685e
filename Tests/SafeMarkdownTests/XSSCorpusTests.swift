import Testing

@testable import SafeMarkdown

/// Hostile Markdown from the usual XSS cheat sheets; every rendering must be inert.
@Suite("Safe Markdown")
struct XSSCorpusTests {
    static let corpus = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<svg/onload=alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click]( javascript:alert(1))",
        "[click](javascript&colon;alert(1))",
        "[click](javascript&#58;alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](javascript&#x3A;alert(1))",
        "![x](javascript&colon;alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "[x](https://ok.example\" onmouseover=\"alert(1))",
        "![x](https://ok.example/a.png\" onerror=\"alert(1))",
        "![x\" onerror=\"alert(1)](https://ok.example/a.png)",
        "![x](javascript:alert(1))",
        "[ref][1]\n\n[1]: javascript:alert(1)",
        "```js\" onmouseover=\"alert(1)\nx\n```",
        "<div style=\"background:url(javascript:alert(1))\">",
        "<<script>script>alert(1)<</script>/script>",
        "**bold <b onmouseover=alert(1)>x</b>**",
        "> <script>alert(1)</script>",
        "- <img src=x onerror=alert(1)>",
        "`<script>`",
        "<!-- comment --><script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<a href=\"#\" onclick=\"alert(1)\">x</a>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "[a](<javascript:alert(1)>)",
        "\u{0}<script>alert(1)</script>",
    ]

    static let allowedTags: Set<String> = [
        "p", "a", "img", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s", "del",
    ]
    static let allowedAttributes: Set<String> = ["href", "src", "alt", "class", "rel", "loading", "align", "start"]

    @Test("hostile input renders inert", arguments: corpus)
    func inert(markdown: String) throws {
        let html = SafeMarkdown().html(markdown)
        for tag in html.matches(of: /<\s*\/?\s*([A-Za-z0-9]+)([^>]*)>/) {
            let name = tag.1.lowercased()
            #expect(Self.allowedTags.contains(name), "tag <\(name)> in \(html)")
            var attributes = String(tag.2).trimmingCharacters(in: .whitespaces)
            if attributes.hasSuffix("/") { attributes.removeLast() }
            // Every attribute must be name="value" with no quote inside: nothing can break out.
            let pairs = attributes.matches(of: /([a-zA-Z-]+)="([^"<>]*)"/)
            let rebuilt = pairs.map { "\($0.1)=\"\($0.2)\"" }.joined(separator: " ")
            #expect(rebuilt == attributes.split(separator: " ").joined(separator: " "), "attributes \(attributes) in \(html)")
            for pair in pairs {
                #expect(Self.allowedAttributes.contains(String(pair.1)), "attribute \(pair.1) in \(html)")
                if pair.1 == "href" || pair.1 == "src" {
                    // As the browser reads it: references decoded, control characters and spaces dropped.
                    let value = String(String.UnicodeScalarView(Self.decoded(String(pair.2)).lowercased().unicodeScalars
                        .filter { $0.value > 0x20 && $0.value != 0x7F }))
                    let beforePath = value.prefix { !"/?#".contains($0) }
                    let scheme = beforePath.firstIndex(of: ":").map { String(beforePath[..<$0]) }
                    #expect(scheme == nil || ["http", "https", "mailto"].contains(scheme!), "url \(pair.2) in \(html)")
                }
            }
        }
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("\u{E000}"))
    }

    @Test("ordinary Markdown still renders")
    func ordinary() {
        let html = SafeMarkdown().html("# Hi\n\nSome **bold** and *em*, a [link](https://example.org/a?b=1&c=2) and `x < y`.\n\n- one\n- two")
        #expect(html.contains("<h1>Hi</h1>"))
        #expect(html.contains("<strong>bold</strong>"))
        #expect(html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">link</a>"))
        #expect(html.contains("<code>x &lt; y</code>"))
        #expect(html.contains("<li>one</li>"))
    }

    @Test("a typed angle bracket shows as text")
    func lessThan() {
        #expect(SafeMarkdown().html("3 < 4 and <b>not bold</b>").contains("3 &lt; 4 and &lt;b&gt;not bold&lt;/b&gt;"))
    }

    @Test("relative and mailto links survive, and images from this site")
    func allowedLinks() {
        #expect(SafeMarkdown().html("[me](/m/ada)").contains("href=\"/m/ada\""))
        #expect(SafeMarkdown().html("[mail](mailto:a@example.com)").contains("href=\"mailto:a@example.com\""))
        #expect(SafeMarkdown().html("![logo](/images/l.png)").contains("<img src=\"/images/l.png\" alt=\"logo\""))
    }

    @Test("a remote image is a link to it, never loaded by the reader's browser (no tracking pixels)")
    func remoteImages() {
        for markdown in ["![logo](https://tracker.example/p.gif?reader=1)", "![](//tracker.example/p.gif)", "![x](/\\tracker.example/p.gif)",
                         "![x](http://198.51.100.7/p.gif)"] {
            let html = SafeMarkdown().html(markdown)
            #expect(!html.contains("<img"), "\(html)")
            #expect(html.contains("<a href=") && html.contains("Image: "), "\(html)")
        }
        #expect(SafeMarkdown().html("![logo](https://tracker.example/p.gif)").contains(">Image: logo</a>"))
    }

    /// An attribute value as the browser reads it: character references decoded once (`&colon;`, `&#58;`, `&#x3A;`).
    static func decoded(_ value: String) -> String {
        let named = ["colon": ":", "tab": "\t", "newline": "\n", "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'",
                     "sol": "/", "period": ".", "lpar": "(", "rpar": ")", "num": "#", "quest": "?"]
        var out = "", rest = Substring(value)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let tail = rest[rest.index(after: amp)...]
            guard let semi = tail.firstIndex(of: ";"), tail.distance(from: tail.startIndex, to: semi) <= 10 else {
                out += "&"; rest = tail; continue
            }
            let name = tail[..<semi]
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") { replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) } }
            else if name.hasPrefix("#") { replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) } }
            else { replacement = named[name.lowercased()] }
            if let replacement { out += replacement; rest = tail[tail.index(after: semi)...] } else { out += "&"; rest = tail }
        }
        return out + rest
    }

    @Test("the corpus check decodes character references before it reads a scheme")
    func decoding() {
        #expect(Self.decoded("javascript&colon;alert(1)") == "javascript:alert(1)")
        #expect(Self.decoded("&#106;avascript&#x3A;x") == "javascript:x")
        #expect(Self.decoded("a&amp;b&unknown;") == "a&b&unknown;")
    }
}
