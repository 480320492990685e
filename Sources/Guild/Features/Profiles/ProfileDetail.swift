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

/// Public profiles by slug (nil for a slug nobody has): the most requested page and JSON.
typealias ProfileCache = GenerationCache<String, ProfileDetail?>
