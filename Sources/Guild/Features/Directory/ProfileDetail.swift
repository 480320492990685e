import Fluent
import FluentPostgresDriver
import SQLKit
import Vapor

/// Everything shown on a public profile page, read with one query.
struct ProfileDetail: Codable, Sendable {
    var slug: String
    var userID: UUID
    var name: String
    var business: String
    var headline: String
    var bio: String
    var bioHTML: String
    var website: String
    var blogURL: String
    var city: String
    var remote: Bool
    var availability: String
    var awayUntil: Date?
    var niches: [NicheTag]
    var partnersWanted: [NicheTag]

    /// One query, ending where the slug goes: bound by SQLKit on SQLite, `$1` on PostgreSQL.
    static let select = """
        SELECT p.user_id, p.slug, u.name, p.business, p.headline, p.bio, p.bio_html, p.website, p.blog_url, p.city, p.remote,
        p.availability, p.away_until, p.niche_tags FROM profiles p JOIN users u ON u.id = p.user_id WHERE p.slug =
        """

    struct Row: Decodable {
        var user_id: UUID; var slug: String; var name: String; var business: String; var headline: String
        var bio: String; var bio_html: String; var website: String; var blog_url: String; var city: String; var remote: Bool
        var availability: String; var away_until: Date?; var niche_tags: String

        var detail: ProfileDetail {
            let tags = ProfileTags.decode(niche_tags)
            return ProfileDetail(
                slug: slug, userID: user_id, name: name, business: business, headline: headline, bio: bio, bioHTML: bio_html,
                website: website, blogURL: blog_url, city: city, remote: remote, availability: availability, awayUntil: away_until,
                niches: tags.niches, partnersWanted: tags.partners)
        }
    }

    /// The hottest read: prepared on PostgreSQL; through `reader` on SQLite, which only callers
    /// outside a transaction pass (it sees committed rows only).
    static func query(slug: String, on db: any Database, reader: SQLiteReader? = nil) async throws -> ProfileDetail? {
        if let postgres = db as? any PostgresDatabase {
            return try await postgres.first(PreparedProfile(slug: slug), logger: db.logger)
        }
        if let reader {
            return try reader.first(select + " ?", [.text(slug)], decoding: Row.self)?.detail
        }
        return try await db.sql.raw("\(unsafeRaw: select) \(bind: slug)").first(decoding: Row.self)?.detail
    }

    /// A public profile for a request: from the profile cache while the directory is unchanged.
    static func cached(slug: String, for req: Request) async throws -> ProfileDetail? {
        let reader = req.application.sqliteReader
        return try await req.application.profileCache.value(for: slug, on: req.db) {
            try await query(slug: slug, on: req.db, reader: reader)
        }
    }
}

/// `ProfileDetail.query` as a PostgreSQL prepared statement: the same SQL and rows.
struct PreparedProfile: PostgresPreparedStatement {
    typealias Row = ProfileDetail
    static let sql = ProfileDetail.select + " $1"
    var slug: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(slug)
        return bindings
    }

    /// Cell by cell in `select`'s column order: SQLKit's Codable row decoder cost 8 % of the server's
    /// CPU on the member JSON route.
    func decodeRow(_ row: PostgresRow) throws -> ProfileDetail {
        let cells = row.makeRandomAccess()
        return try ProfileDetail.Row(
            user_id: cells[0].decode(UUID.self), slug: cells[1].decode(String.self), name: cells[2].decode(String.self),
            business: cells[3].decode(String.self), headline: cells[4].decode(String.self), bio: cells[5].decode(String.self),
            bio_html: cells[6].decode(String.self), website: cells[7].decode(String.self), blog_url: cells[8].decode(String.self),
            city: cells[9].decode(String.self), remote: cells[10].decode(Bool.self), availability: cells[11].decode(String.self),
            away_until: cells[12].decode(Date?.self), niche_tags: cells[13].decode(String.self)
        ).detail
    }
}

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
