import Vapor

struct NicheIndexPage: Encodable {
    var layout: Layout
    /// `Niches/niches-content`, rendered once per directory generation.
    var content: String
}

struct NicheIndexContent: Encodable {
    var categories: [NicheIndex.Category]
}

struct NichePage: Encodable {
    var layout: Layout
    var slug: String
    /// `Niches/niche-content`, rendered once per directory generation: the same for every visitor.
    var content: String
    var canOrganize: Bool
}

struct NicheContent: Encodable {
    var slug: String
    var name: String
    var categoryName: String?
    var aliasText: String
    var clientWords: String
    var mergedIntoSlug: String?
    var members: [MemberSummary]
    var total: Int
    var page: Int
    var previousPage: Int?
    var nextPage: Int?
    var related: [NicheTag]
}
