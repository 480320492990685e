import Foundation
import Testing
@testable import Validation

@Suite("Contact rules: the hand-written checks give the answers of the rules they replace")
struct ContactRulesTests {
    /// A small reproducible generator, so a failure names a seed that can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The contact phone pattern as the API document states it (schemathesis and clients read that one,
    /// not the Swift regex), unescaped from its YAML double-quoted string.
    static func documentedPhonePattern() throws -> Regex<AnyRegexOutput> {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/OpenAPI/openapi.yaml")
        let lines = try String(contentsOf: document, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let index = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "phones:" })
        let items = try #require(lines[index...].first { $0.contains("items:") && $0.contains("pattern:") })
        let start = try #require(items.range(of: "pattern: \""))
        let end = try #require(items.range(of: "\" }", range: start.upperBound..<items.endIndex))
        let escaped = String(items[start.upperBound..<end.lowerBound])
        return try Regex(escaped.replacingOccurrences(of: "\\\\", with: "\\"))
    }

    @Test("the phone check agrees with the API document's pattern on 200,000 strings built from its own alphabet")
    func phoneMatchesPattern() throws {
        let documented = try Self.documentedPhonePattern()
        let alphabet = Array("0123456789 ().-/+xet.\t\u{00A0}aX#").map(String.init) + ["ext", "ext.", " x", "\r\n", "١"]
        var random = SplitMix(state: 42)
        var accepted = 0
        for _ in 0..<200_000 {
            let length = Int.random(in: 0...14, using: &random)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
            let byPattern = (try? documented.wholeMatch(in: text)) != nil
            #expect(ContactRules.isPhoneNumber(text) == byPattern, "“\(text.debugDescription)”")
            if byPattern { accepted += 1 }
        }
        // Both answers occur often enough for the comparison to mean something.
        #expect(accepted > 10_000)
    }

    @Test("numbers people write are phone numbers; words, bare extensions and long extensions are not",
          arguments: [("+1 512 555 0142", true), ("(512) 555-0142 x12", true), ("030 / 1234 ext. 9", true), ("  0142  ", true),
                      ("555 0142 ext12", true), ("x12", false), ("+", false), ("555-0142 x1234567", false), ("555 0142 ex 1", false),
                      ("call me", false), ("", false), ("12 x ", false)])
    func phoneExamples(text: String, valid: Bool) {
        #expect(ContactRules.isPhoneNumber(text) == valid)
        #expect((text.wholeMatch(of: ContactRules.phonePattern) != nil) == valid)
    }

    @Test("the printable-ASCII shortcut gives the full rule's answers")
    func lineProblemShortcut() {
        for text in ["Ada", " ", "   ", "a\u{7F}b", "a\u{1}b", "Zoë", "\u{202E}x", "\u{200B}", "x y", "~"] {
            let full: String? = {
                if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "control" }
                if text.unicodeScalars.contains(where: TextRules.isBidiControl) { return "bidi" }
                if !text.isEmpty, text.unicodeScalars.allSatisfy(TextRules.isInvisible) { return "invisible" }
                return nil
            }()
            #expect((TextRules.lineProblem(text, what: "Name") == nil) == (full == nil), "“\(text.debugDescription)”")
        }
    }
}
