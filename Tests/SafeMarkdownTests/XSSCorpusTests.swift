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
                    let value = pair.2.lowercased().filter { !$0.isWhitespace }
                    #expect(!value.hasPrefix("javascript:") && !value.hasPrefix("data:") && !value.hasPrefix("vbscript:"),
                            "url \(pair.2) in \(html)")
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

    @Test("relative and mailto links survive, images too")
    func allowedLinks() {
        #expect(SafeMarkdown().html("[me](/m/ada)").contains("href=\"/m/ada\""))
        #expect(SafeMarkdown().html("[mail](mailto:a@example.com)").contains("href=\"mailto:a@example.com\""))
        #expect(SafeMarkdown().html("![logo](https://example.org/l.png)").contains("<img src=\"https://example.org/l.png\" alt=\"logo\""))
    }
}
