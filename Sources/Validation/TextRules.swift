/// Characters that hide or disguise text: what a name or a heading must not be made of.
public enum TextRules {
    /// Bidirectional overrides and isolates: "‮gnp.exe" shows reversed, so nobody may use them.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// Invisible characters: controls, zero-width spaces and joiners, word joiners, soft hyphens, BOMs.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
            || (0x200B...0x200F).contains(scalar.value) || (0x2060...0x2064).contains(scalar.value)
            || scalar.value == 0xFEFF || scalar.value == 0x00AD || scalar.value == 0x180E || isBidiControl(scalar)
    }

    /// The problem with a one-line text a person is known by (a name, a business), or nil:
    /// it must show at least one visible character and hold no control or bidi override characters.
    public static func lineProblem(_ text: String, what: String) -> String? {
        // Printable ASCII with something besides spaces, the common case, has none of the problems below.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), text.utf8.contains(where: { $0 != 0x20 }) { return nil }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "\(what) must not contain control characters."
        }
        if text.unicodeScalars.contains(where: isBidiControl) {
            return "\(what) must not contain characters that reverse the direction of text."
        }
        if !text.isEmpty, text.unicodeScalars.allSatisfy(isInvisible) {
            return "\(what) must have at least one visible character."
        }
        return nil
    }

    /// The problem with a text of several lines (a testimonial, a reason, a post), or nil: line
    /// breaks and tabs are fine; other control characters, direction overrides and nothing visible are not.
    public static func textProblem(_ text: String, what: String) -> String? {
        let flat = String(text.unicodeScalars.map { "\n\r\t".unicodeScalars.contains($0) ? " " : Character($0) })
        return lineProblem(flat, what: what)
    }

    /// The control or direction-override characters in a value as sent, before trimming (trimming would
    /// hide a trailing U+0085 or a leading tab, which the API document's patterns refuse): nil when clean.
    /// `multiline` allows line breaks and tabs.
    public static func controlProblem(_ text: String, what: String, multiline: Bool = false) -> String? {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\r", "\t"] : []
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            return "\(what) must not contain control characters."
        }
        if text.unicodeScalars.contains(where: isBidiControl) {
            return "\(what) must not contain characters that reverse the direction of text."
        }
        return nil
    }
}
