import Fluent
import SQLKit
import Vapor

/// A niche page: everyone in it, side by side, with related niches.
struct NicheDetail: Sendable {
    var slug: String
    var name: String
    var categoryName: String?
    var categorySlug: String?
    var aliases: [String]
    var clientWords: String
    var curated: Bool
    var mergedIntoSlug: String?
    var members: [MemberSummary]
    var memberLevels: [String: String]
    var total: Int
    var related: [NicheTag]

    static func query(slug: String, page: Int, perPage: Int = 100, on db: any Database) async throws -> NicheDetail? {
        struct Row: Decodable {
            var id: UUID; var slug: String; var name: String; var client_words: String; var curated: Bool
            var category_name: String?; var category_slug: String?; var merged_slug: String?
        }
        guard let niche = try await db.sql.raw("""
            SELECT n.id, n.slug, n.name, n.client_words, n.curated, c.name AS category_name, c.slug AS category_slug,
            m.slug AS merged_slug FROM niches n LEFT JOIN niche_categories c ON c.id = n.category_id
            LEFT JOIN niches m ON m.id = n.merged_into_id WHERE n.slug = \(bind: slug)
            """).first(decoding: Row.self)
        else { return nil }
        struct Alias: Decodable { var label: String }
        let aliases = try await db.sql.raw("SELECT label FROM niche_aliases WHERE niche_id = \(bind: niche.id) ORDER BY label")
            .all(decoding: Alias.self).map(\.label).filter { $0.lowercased() != niche.name.lowercased() }
        // Experts first, then experienced, then learning; by name within each level.
        let results = try await DirectorySearch.page(of: DirectoryQuery(niche: slug, page: page, perPage: perPage), match: nil, on: db)
        struct Related: Decodable { var slug: String; var name: String; var shared: Int }
        let related = try await db.sql.raw("""
            SELECT n.slug, n.name, COUNT(*) AS shared FROM profile_niches a
            JOIN profile_niches b ON b.profile_id = a.profile_id AND b.niche_id <> a.niche_id
            JOIN niches n ON n.id = b.niche_id WHERE a.niche_id = \(bind: niche.id)
            GROUP BY n.slug, n.name ORDER BY shared DESC, n.name LIMIT 8
            """).all(decoding: Related.self)
        var levels: [String: String] = [:]
        for member in results.items { levels[member.slug] = member.niches.first { $0.slug == slug }?.level }
        return NicheDetail(
            slug: niche.slug, name: niche.name, categoryName: niche.category_name, categorySlug: niche.category_slug,
            aliases: aliases, clientWords: niche.client_words, curated: niche.curated, mergedIntoSlug: niche.merged_slug,
            members: results.items, memberLevels: levels, total: results.total,
            related: related.map { NicheTag(slug: $0.slug, name: $0.name, level: nil) })
    }
}

/// The category index: every niche with its member count.
struct NicheIndex: Sendable {
    struct Category: Encodable, Sendable {
        var name: String
        var slug: String
        var niches: [Entry]
    }

    struct Entry: Encodable, Sendable {
        var slug: String
        var name: String
        var members: Int
    }

    var categories: [Category]

    static func query(on db: any Database) async throws -> NicheIndex {
        struct Row: Decodable { var slug: String; var name: String; var category: String?; var category_slug: String?; var position: Int?; var members: Int }
        let rows = try await db.sql.raw("""
            SELECT n.slug, n.name, c.name AS category, c.slug AS category_slug, c.position,
            (SELECT COUNT(*) FROM profile_niches pn WHERE pn.niche_id = n.id) AS members
            FROM niches n LEFT JOIN niche_categories c ON c.id = n.category_id
            WHERE n.merged_into_id IS NULL ORDER BY c.position, n.name
            """).all(decoding: Row.self)
        var categories: [Category] = []
        for row in rows {
            let name = row.category ?? "Added by members"
            if categories.last?.name != name {
                categories.append(Category(name: name, slug: row.category_slug ?? "added-by-members", niches: []))
            }
            categories[categories.count - 1].niches.append(Entry(slug: row.slug, name: row.name, members: row.members))
        }
        // Niches members typed that are not in the taxonomy yet: hide the empty ones.
        categories = categories.map { category in
            var category = category
            if category.slug == "added-by-members" { category.niches = category.niches.filter { $0.members > 0 } }
            return category
        }.filter { !$0.niches.isEmpty }
        return NicheIndex(categories: categories)
    }
}

/// A niche page (by slug and page) or nil for a slug nobody has: what people share ("everyone in my
/// trade"), so it is kept until the directory changes, like profiles and searches.
struct NichePageKey: Hashable, Sendable {
    var slug: String
    var page: Int
}

typealias NicheCache = GenerationCache<NichePageKey, NicheDetail?>

/// The niche index, one entry: every niche with its member count.
typealias NicheIndexCache = GenerationCache<Int, NicheIndex>

extension NicheDetail {
    /// A niche page for a request: from the niche cache while the directory is unchanged.
    static func cached(slug: String, page: Int, for req: Request) async throws -> NicheDetail? {
        try await req.application.nicheCache.value(for: NichePageKey(slug: slug, page: page), on: req.db) {
            try await query(slug: slug, page: page, on: req.db)
        }
    }
}

extension NicheIndex {
    static func cached(for req: Request) async throws -> NicheIndex {
        try await req.application.nicheIndexCache.value(for: 0, on: req.db) { try await query(on: req.db) }
    }
}
