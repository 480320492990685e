import Foundation

/// Reading what people type into forms, the same way on every page.
enum FormText {
    /// A list typed one per line or separated by commas (addresses, tags), trimmed, empty entries dropped.
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isNewline || $0 == "," }).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// A member's profile slug from what was typed: the slug itself, or a pasted profile address (`…/m/{slug}…`).
    static func profileSlug(_ raw: String) -> String {
        let text = raw.trimmingWhitespace()
        if let range = text.range(of: "/m/") {
            return String(text[range.upperBound...].prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" }))
        }
        return text
    }
}

/// One option of a select or a set of radio buttons.
struct Choice: Encodable, Sendable {
    var value: String
    var label: String
}
