import Foundation

/// Recent search result pages. The most common words match thousands of members, and ranking them
/// all is most of a search's cost; the same few queries make up most of the traffic.
typealias SearchCache = GenerationCache<SearchKey, DirectoryResults>

/// The niche vocabulary (`DirectorySearch.nicheVocabulary`), one entry, read again when the directory changes.
typealias NicheVocabularyCache = GenerationCache<Int, Set<String>>

struct SearchKey: Hashable, Sendable {
    var words: [String]
    var niche: String
    var city: String
    var remote: Bool
    var available: Bool
    var page: Int
    var perPage: Int

    init(_ query: DirectoryQuery) {
        words = DirectorySearch.searchTerms(DirectorySearch.tokens(query.q))
        niche = query.niche ?? ""
        city = query.city?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        remote = query.remote == true
        available = query.available == true
        page = max(1, query.page)
        perPage = query.perPage
    }
}
