import Foundation

/// BERT's uncased WordPiece tokenizer, as the reference (Hugging Face `tokenizers`, `BertNormalizer`
/// + `BertPreTokenizer` + `WordPiece`) runs it for all-MiniLM-L6-v2: drop control characters, space
/// out CJK ideographs, strip accents (NFD, then no non-spacing marks), lower-case, split on whitespace
/// and punctuation, then greedy longest-match pieces with `##` continuations.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let unknown: Int32, classify: Int32, separator: Int32
    /// Longer words become one `[UNK]`, as in the reference.
    let maxCharactersPerWord = 100

    public init(vocabularyText: String) throws {
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(31_000)
        var lines = vocabularyText.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the file's last newline
        for (index, line) in lines.enumerated() {
            vocabulary[line.hasSuffix("\r") ? String(line.dropLast()) : String(line)] = Int32(index)
        }
        guard let unknown = vocabulary["[UNK]"], let classify = vocabulary["[CLS]"], let separator = vocabulary["[SEP]"] else {
            throw EmbeddingsError.badModel("vocab.txt has no [UNK], [CLS] or [SEP]")
        }
        self.vocabulary = vocabulary
        self.unknown = unknown
        self.classify = classify
        self.separator = separator
    }

    /// `[CLS]` + pieces + `[SEP]`, at most `maxTokens` in all (the pieces are cut, as the reference truncates).
    public func encode(_ text: String, maxTokens: Int = 256) -> [Int32] {
        var ids: [Int32] = [classify]
        for word in words(text) {
            ids.append(contentsOf: pieces(word))
            if ids.count >= maxTokens - 1 { break }
        }
        if ids.count > maxTokens - 1 { ids.removeLast(ids.count - (maxTokens - 1)) }
        ids.append(separator)
        return ids
    }

    /// The normalized words and punctuation marks of a text, before WordPiece.
    public func words(_ text: String) -> [String] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isCJK(scalar) {
                cleaned.append(" "); cleaned.append(scalar); cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        // Accents go before lower-casing, as in the reference normalizer.
        let stripped = String(cleaned).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark
        }
        let lowered = String(String.UnicodeScalarView(stripped)).lowercased()
        var words: [String] = [], current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
        }
        for scalar in lowered.unicodeScalars {
            if scalar == " " || Self.isWhitespace(scalar) {
                flush()
            } else if Self.isPunctuation(scalar) {
                flush()
                words.append(String(scalar))
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    /// Greedy longest-match-first pieces of one word; the whole word is `[UNK]` if any part has no piece.
    public func pieces(_ word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= maxCharactersPerWord else { return [unknown] }
        var ids: [Int32] = [], start = 0
        while start < scalars.count {
            var end = scalars.count, found: Int32?
            while start < end {
                var piece = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = vocabulary[piece] { found = id; break }
                end -= 1
            }
            guard let found else { return [unknown] }
            ids.append(found)
            start = end
        }
        return ids
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// Categories Cc, Cf, Cs, Co and Cn, but tab and line breaks count as whitespace.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// ASCII symbols count as punctuation too ("$", "+", "^"), as in BERT.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }
}

public enum EmbeddingsError: Error, CustomStringConvertible, Sendable {
    case badModel(String)
    public var description: String {
        switch self {
        case .badModel(let reason): "the model files are not usable: \(reason)"
        }
    }
}
