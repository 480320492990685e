import Fluent
import Vapor

enum Availability: String, Codable, Sendable, CaseIterable {
    case available, busy, away
}

final class Profile: Model, @unchecked Sendable {
    static let schema = "profiles"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "slug") var slug: String
    @Field(key: "business") var business: String
    @Field(key: "headline") var headline: String
    @Field(key: "bio") var bio: String
    /// The bio rendered by SafeMarkdown when it was saved.
    @Field(key: "bio_html") var bioHTML: String
    @Field(key: "website") var website: String
    @Field(key: "blog_url") var blogURL: String
    @Field(key: "city") var city: String
    @Field(key: "city_key") var cityKey: String
    @Field(key: "remote") var remote: Bool
    @Enum(key: "availability") var availability: Availability
    @OptionalField(key: "away_until") var awayUntil: Date?
    @Field(key: "search_id") var searchID: Int64
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}

    static func find(slug: String, on db: any Database) async throws -> Profile? {
        try await Profile.query(on: db).filter(\.$slug == slug).with(\.$user).first()
    }

    static func find(userID: UUID, on db: any Database) async throws -> Profile? {
        try await Profile.query(on: db).filter(\.$user.$id == userID).first()
    }
}
