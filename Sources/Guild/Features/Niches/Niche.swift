import Fluent
import Vapor

enum NicheLevel: String, Codable, Sendable, CaseIterable {
    case expert, experienced, learning

    var rank: Int { Self.allCases.firstIndex(of: self)! }
}

final class NicheCategory: Model, @unchecked Sendable {
    static let schema = "niche_categories"
    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int
    init() {}
}

final class Niche: Model, @unchecked Sendable {
    static let schema = "niches"
    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @OptionalParent(key: "category_id") var category: NicheCategory?
    @Field(key: "client_words") var clientWords: String
    @Field(key: "curated") var curated: Bool
    /// Set when an organizer merged this niche into another; its members moved there.
    @OptionalField(key: "merged_into_id") var mergedIntoID: UUID?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class NicheAlias: Model, @unchecked Sendable {
    static let schema = "niche_aliases"
    @ID(key: .id) var id: UUID?
    @Field(key: "term") var term: String
    @Field(key: "label") var label: String
    @Parent(key: "niche_id") var niche: Niche
    init() {}
}

/// A niche as shown beside a member: its slug, name and, on a member, their level in it.
struct NicheTag: Codable, Sendable, Equatable {
    var slug: String
    var name: String
    var level: String?
}
