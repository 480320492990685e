import Validation

/// The curated list of niches, read from `Resources/Taxonomy/niches.txt`.
public struct Taxonomy: Sendable, Equatable {
    public struct Category: Sendable, Equatable {
        public var name: String
        public var slug: String
        public var niches: [Entry]
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var slug: String
        public var synonyms: [String]
        public var clientWords: [String]
    }

    public var categories: [Category]

    public init(categories: [Category]) { self.categories = categories }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "niches.txt line \(line): \(reason)" }
    }

    /// `## Category` lines start a category; `name | synonym; … | client word; …` lines add niches.
    public static func parse(_ text: String) throws(ParseError) -> Taxonomy {
        var categories: [Category] = []
        var seen = Set<String>()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || (line.hasPrefix("#") && !line.hasPrefix("## ")) { continue }
            if line.hasPrefix("## ") {
                let name = String(line.dropFirst(3)).trimmingWhitespace()
                categories.append(Category(name: name, slug: Slug.make(name), niches: []))
                continue
            }
            guard !categories.isEmpty else { throw ParseError(line: index + 1, reason: "niche before any category") }
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            guard parts.count == 3, !parts[0].isEmpty else {
                throw ParseError(line: index + 1, reason: "expected `name | synonyms | client words`")
            }
            let slug = Slug.make(parts[0])
            guard seen.insert(slug).inserted else { throw ParseError(line: index + 1, reason: "duplicate niche \(parts[0])") }
            func list(_ text: String) -> [String] {
                text.split(separator: ";").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            }
            categories[categories.count - 1].niches.append(
                Entry(name: parts[0], slug: slug, synonyms: list(parts[1]), clientWords: list(parts[2])))
        }
        return Taxonomy(categories: categories)
    }

    public var allNiches: [Entry] { categories.flatMap(\.niches) }
}
