import Foundation

/// What a member says about their work, cut into the pieces a need is compared with: their own words
/// for each niche, each niche described by the taxonomy (its name, synonyms and the words clients
/// use), the headline, and each sentence of the bio. Measured on the match-dev set with
/// all-MiniLM-L6-v2 (`Benchmarks/BENCHMARKS.md`): one vector per piece and a member's score from
/// their best two beat one vector per profile, the member's own niche words were worth most, and the
/// taxonomy's descriptions helped on top; names and business names are left out (they hurt).
public enum SentenceKind: String, Sendable, Codable, CaseIterable {
    /// The member's own words for a niche, or its name.
    case niche
    /// "Name: synonyms; words clients use", from the taxonomy: shown as the niche's name.
    case nicheWords = "niche_words"
    case headline, sentence
}

public struct ProfileSentence: Sendable, Equatable {
    public var kind: SentenceKind
    public var text: String
    public init(kind: SentenceKind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// One of a member's niches as matching reads it.
public struct NichePiece: Sendable, Equatable {
    public var name: String
    /// What the member typed, when it differs from the name ("iOS; Android; Flutter").
    public var label: String?
    public var synonyms: [String]
    public var clientWords: [String]
    public init(name: String, label: String? = nil, synonyms: [String] = [], clientWords: [String] = []) {
        self.name = name
        self.label = label
        self.synonyms = synonyms
        self.clientWords = clientWords
    }

    /// "CRM implementation: crm, salesforce admin; customer database, track leads", or nil for a niche
    /// the taxonomy says nothing more about.
    public var description: String? {
        let others = synonyms.filter { $0.lowercased() != name.lowercased() }
        guard !others.isEmpty || !clientWords.isEmpty else { return nil }
        return name + ": " + [others.joined(separator: ", "), clientWords.joined(separator: ", ")].filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// The niche's name in a `.nicheWords` piece's text.
    public static func name(inDescription text: String) -> String {
        text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
    }
}

public enum ProfileSentences {
    /// At most this many pieces a member (a bio is at most a few thousand characters; a pasted essay
    /// should not cost the whole queue).
    public static let maxPieces = 40
    /// A piece longer than this is cut: the model reads at most 256 tokens anyway.
    public static let maxCharacters = 600

    public static func make(niches: [NichePiece], headline: String, bio: String) -> [ProfileSentence] {
        var pieces: [ProfileSentence] = []
        var seen = Set<String>()
        func add(_ kind: SentenceKind, _ text: String) {
            let trimmed = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxCharacters))
            guard trimmed.unicodeScalars.contains(where: { $0.properties.isAlphabetic }), seen.insert(trimmed.lowercased()).inserted,
                  pieces.count < maxPieces else { return }
            pieces.append(ProfileSentence(kind: kind, text: trimmed))
        }
        for niche in niches {
            // Several typed words can land on one niche ("iOS; Android; Flutter"): each is a piece.
            for label in (niche.label ?? "").split(separator: ";") { add(.niche, String(label)) }
            if let description = niche.description { add(.nicheWords, description) } else { add(.niche, niche.name) }
        }
        add(.headline, headline)
        for sentence in split(plainText(bio)) { add(.sentence, sentence) }
        return pieces
    }

    /// Markdown to the words a reader sees: `[text](url)` keeps its text, emphasis marks and headings
    /// go, bare addresses go (they carry no meaning for the model).
    public static func plainText(_ markdown: String) -> String {
        var text = ""
        var scalars = Array(markdown.unicodeScalars)[...]
        while let first = scalars.first {
            if first == "[", let close = scalars.firstIndex(of: "]"), scalars.index(after: close) < scalars.endIndex,
               scalars[scalars.index(after: close)] == "(", let end = scalars[close...].firstIndex(of: ")") {
                text.unicodeScalars.append(contentsOf: scalars[scalars.index(after: scalars.startIndex)..<close])
                scalars = scalars[scalars.index(after: end)...]
                continue
            }
            if "*_`#>~".unicodeScalars.contains(first) {
                scalars = scalars.dropFirst()
                continue
            }
            text.unicodeScalars.append(first)
            scalars = scalars.dropFirst()
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(separator: " ", omittingEmptySubsequences: false)
                .filter { !($0.hasPrefix("http://") || $0.hasPrefix("https://") || $0.hasPrefix("www.")) }
                .joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// Sentences end at `.`, `!` or `?` followed by a space, and at line breaks. Numbers like "3.5"
    /// stay whole (no space follows their dot), and so do "e.g." and "U.S." (a dot inside the word).
    public static func split(_ text: String) -> [String] {
        var sentences: [String] = [], current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character.isNewline {
                sentences.append(current); current = ""
                continue
            }
            current.append(character)
            let word = current.split(separator: " ").last ?? ""
            if ".!?".contains(character), index + 1 < characters.count, characters[index + 1].isWhitespace,
               !(character == "." && word.dropLast().contains(".")) {
                sentences.append(current); current = ""
            }
        }
        sentences.append(current)
        return sentences.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
