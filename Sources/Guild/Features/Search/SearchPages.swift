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
    /// The niche filter's `<option>`s by category (`Niches/niche-options`, rendered once per
    /// directory generation), the chosen one selected.
    var nicheOptions: String
}

