import SQLKit

/// LIKE patterns for text a person typed, with `%`, `_` and `\` taken literally. Use each one with
/// `ESCAPE '\'` after it (`LikePattern.escape`), on both databases: `50%` then finds "50%", not "50".
enum LikePattern {
    static let escape: SQLQueryString = "ESCAPE '\\'"

    /// Text anywhere in the value.
    static func containing(_ text: String) -> String { "%" + escaped(text) + "%" }

    /// Values that start with the text.
    static func starting(with text: String) -> String { escaped(text) + "%" }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
