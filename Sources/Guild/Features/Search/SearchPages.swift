import Vapor

struct SearchPage: Encodable {
    var layout: Layout
    var q: String
    var city: String
    var niche: String
    var remote: Bool
    var available: Bool
    var items: [MemberSummary]
    var total: Int
    var page: Int
    var previousPage: String?
    var nextPage: String?
    var correctedTo: String?
    var suggestions: [NicheTag]
    /// The niche filter's choices, by category, by name.
    var nicheGroups: [NicheIndex.Category]
}
