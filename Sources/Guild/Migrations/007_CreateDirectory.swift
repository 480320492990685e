import Fluent
import SQLKit

struct CreateDirectory: AsyncMigration {
    var name: String { "007_CreateDirectory" }

    func prepare(on database: any Database) async throws {
        try await database.schema("niche_categories")
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("position", .int, .required)
            .unique(on: "slug")
            .create()
        try await database.schema("niches")
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("category_id", .uuid, .references("niche_categories", "id", onDelete: .setNull))
            .field("client_words", .string, .required)
            .field("curated", .bool, .required)
            .field("merged_into_id", .uuid, .references("niches", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .create()
        // Every name and synonym of a niche, normalized: what a typed niche is matched against.
        try await database.schema("niche_aliases")
            .id()
            .field("term", .string, .required)
            .field("label", .string, .required)
            .field("niche_id", .uuid, .required, .references("niches", "id", onDelete: .cascade))
            .unique(on: "term")
            .create()
        try await database.sql.create(index: "niche_aliases_niche").on("niche_aliases").column("niche_id").run()
        try await database.schema("profiles")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("slug", .string, .required)
            .field("business", .string, .required)
            .field("headline", .string, .required)
            .field("bio", .string, .required)
            .field("website", .string, .required)
            .field("blog_url", .string, .required)
            .field("city", .string, .required)
            .field("city_key", .string, .required)
            .field("remote", .bool, .required)
            .field("availability", .string, .required)
            .field("away_until", .date)
            // Row id in the SQLite full-text index; random so several writers never collide.
            .field("search_id", .int64, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "user_id")
            .unique(on: "slug")
            .unique(on: "search_id")
            .create()
        try await database.sql.create(index: "profiles_city_key").on("profiles").column("city_key").run()
        try await database.schema("profile_niches")
            .field("profile_id", .uuid, .required, .references("profiles", "id", onDelete: .cascade))
            .field("niche_id", .uuid, .required, .references("niches", "id", onDelete: .cascade))
            .field("level", .string, .required)
            .field("position", .int, .required)
            .compositeIdentifier(over: "profile_id", "niche_id")
            .create()
        try await database.sql.create(index: "profile_niches_niche").on("profile_niches").column("niche_id").run()
        try await database.schema("profile_partner_niches")
            .field("profile_id", .uuid, .required, .references("profiles", "id", onDelete: .cascade))
            .field("niche_id", .uuid, .required, .references("niches", "id", onDelete: .cascade))
            .compositeIdentifier(over: "profile_id", "niche_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["profile_partner_niches", "profile_niches", "profiles", "niche_aliases", "niches", "niche_categories"] {
            try await database.schema(table).delete()
        }
    }
}
