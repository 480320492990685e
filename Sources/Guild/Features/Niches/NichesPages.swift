import Vapor

struct NicheIndexPage: Encodable {
    var layout: Layout
    var categories: [NicheIndex.Category]
}

struct NichePage: Encodable {
    var layout: Layout
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
    var canOrganize: Bool
}
