import Taxonomy
import Fluent
import SQLKit

/// When a search finds nothing: read misspelled words as the words they were meant to be, and
/// suggest niches close to the query.
extension DirectorySearch {
    /// Edits forgiven in a searched word: one, two for long words (whose stems differ at the end).
    static func typosForgiven(in word: String) -> Int { word.count >= 7 ? 2 : 1 }

    /// A word that matches nothing is read as the closest word of the niche vocabulary (names,
    /// synonyms, the words clients use): the words people search a directory for, and the ones they
    /// misspell. Both databases: SQLite once compared it with every indexed word, but listing those
    /// (fts5vocab) counts every posting of every word under a letter, 10–20 ms at 100,000 members.
    /// A word of the vocabulary itself is never changed, so it is not looked up: for a common one
    /// ("care") the lookup cost more than the search that follows.
    static func correctFromNiches(_ words: [String], on db: any Database,
                                  vocabulary cache: NicheVocabularyCache? = nil) async throws -> [String]? {
        struct Hit: Decodable { var hit: Int }
        var vocabulary: Set<String>?
        var corrected: [String] = [], changed = false
        for word in words {
            if word.count < 4 { corrected.append(word); continue }
            if vocabulary == nil {
                if let cache {
                    vocabulary = try await cache.value(for: 0, on: db) { try await nicheVocabulary(on: db) }
                } else {
                    vocabulary = try await nicheVocabulary(on: db)
                }
            }
            let nicheWords = vocabulary ?? []
            if nicheWords.contains(word) { corrected.append(word); continue }
            // One indexed member is enough to know the word: a dialect each, both stop at the first.
            // On PostgreSQL the match sits in a materialized CTE, planned for all its rows: with a bare
            // LIMIT 1 the planner bet on meeting a match early in a sequential scan, and for a word
            // nobody uses (every typo) read all 100,000 vectors, 45 ms, where the GIN index takes 0.1.
            let known = try await db.sql.raw(db.isSQLite
                ? "SELECT 1 AS hit FROM member_search WHERE member_search MATCH \(bind: ftsExpression(.all([word]))) LIMIT 1"
                : """
                  WITH hits AS MATERIALIZED (
                      SELECT 1 AS hit FROM member_search_vectors WHERE search_vector @@ to_tsquery('english', \(bind: tsQuery(.all([word])))))
                  SELECT hit FROM hits LIMIT 1
                  """).first(decoding: Hit.self)
            if known != nil { corrected.append(word); continue }
            let allowed = typosForgiven(in: word)
            let best = nicheWords
                .filter { abs($0.count - word.count) <= allowed }
                .map { ($0, EditDistance.between($0, word, limit: allowed)) }
                .filter { $0.1 <= allowed }
                .min { ($0.1, $0.0) < ($1.1, $1.0) }
            if let best { corrected.append(best.0); changed = true } else { corrected.append(word) }
        }
        return changed ? corrected : nil
    }

    /// Every word of three letters or more in the niches' synonyms and client words.
    static func nicheVocabulary(on db: any Database) async throws -> Set<String> {
        struct Vocabulary: Decodable { var text: String }
        let rows = try await db.sql.raw("""
            SELECT term AS text FROM niche_aliases UNION SELECT client_words AS text FROM niches WHERE merged_into_id IS NULL
            """).all(decoding: Vocabulary.self)
        return Set(rows.flatMap { tokens($0.text) }.filter { $0.count >= 3 })
    }

    /// Niches whose names or synonyms share a word with the query, or are one typo away from it.
    static func suggestNiches(for text: String, on db: any Database) async throws -> [NicheTag] {
        struct Row: Decodable { var term: String; var slug: String; var name: String }
        let words = Set(NicheNormalizer.key(text).split(separator: " ").map(String.init).filter { $0.count >= 3 })
        guard !words.isEmpty else { return [] }
        let aliases = try await db.sql.raw("""
            SELECT a.term, n.slug, n.name FROM niche_aliases a JOIN niches n ON n.id = a.niche_id WHERE n.merged_into_id IS NULL
            """).all(decoding: Row.self)
        var seen = Set<String>(), suggestions: [NicheTag] = []
        for alias in aliases where !seen.contains(alias.slug) {
            let aliasWords = alias.term.split(separator: " ").map(String.init)
            let close = words.contains { word in
                aliasWords.contains { $0 == word || ($0.count > 4 && $0.hasPrefix(word)) || EditDistance.between($0, word, limit: 2) <= typosForgiven(in: word) }
            }
            if close {
                seen.insert(alias.slug)
                suggestions.append(NicheTag(slug: alias.slug, name: alias.name, level: nil))
            }
        }
        return Array(suggestions.sorted { $0.name < $1.name }.prefix(8))
    }
}
