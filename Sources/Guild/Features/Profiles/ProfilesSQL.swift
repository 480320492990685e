import Fluent
import Foundation
import SQLKit

/// Pieces of SQL other features put in their own queries to show a member's profile facts, so that
/// only Profiles names `profiles` (README, "Tables and their owners"). Each is a scalar subquery on
/// `profiles.user_id` (unique): one index lookup per row. NULL for a member without a profile.
enum ProfilesSQL {
    private static let profiles = ScalarLookup(table: "profiles", key: "user_id")

    /// The profile's slug (`/m/{slug}`) of the member whose id is in `column` (such as `r.giver_id`).
    static func slug(of column: String) -> SQLQueryString { profiles.column("slug", of: column) }

    /// The business name on the member's profile.
    static func business(of column: String) -> SQLQueryString { profiles.column("business", of: column) }

    /// A condition: the member in `column` is marked away on their profile at `now` (no date, or a date to come).
    static func isAway(_ column: String, at now: Date) -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM profiles away_p WHERE away_p.user_id = \(unsafeRaw: SQLColumnReference.checked(column))
            AND away_p.availability = 'away' AND (away_p.away_until IS NULL OR away_p.away_until > \(bind: now)))
        """
    }
}

extension Profiles {
    /// Each member's niche names in their profile's order, for "three web designers, two photographers".
    static func nicheNames(of userIDs: [UUID], on db: any Database) async throws -> [UUID: [String]] {
        guard !userIDs.isEmpty else { return [:] }
        struct Row: Decodable { var user_id: UUID; var name: String }
        let rows = try await db.sql.raw("""
            SELECT p.user_id, \(NichesSQL.name(of: "pn.niche_id")) AS name FROM profiles p JOIN profile_niches pn ON pn.profile_id = p.id
            WHERE p.user_id IN (\(binds: userIDs)) ORDER BY pn.position
            """).all(decoding: Row.self)
        return Dictionary(grouping: rows, by: \.user_id).mapValues { $0.map(\.name) }
    }

    struct NicheOnProfile: Decodable, Sendable { var id: UUID; var slug: String; var name: String }

    /// The niches on a member's profile, in its order.
    static func niches(of userID: UUID, on db: any Database) async throws -> [NicheOnProfile] {
        try await db.sql.raw("""
            SELECT pn.niche_id AS id, \(NichesSQL.slug(of: "pn.niche_id")) AS slug, \(NichesSQL.name(of: "pn.niche_id")) AS name
            FROM profiles p JOIN profile_niches pn ON pn.profile_id = p.id
            WHERE p.user_id = \(bind: userID) ORDER BY pn.position
            """).all(decoding: NicheOnProfile.self)
    }

    /// The member whose profile has this slug.
    static func userID(slug: String, on db: any Database) async throws -> UUID? {
        struct Row: Decodable { var user_id: UUID }
        return try await db.sql.raw("SELECT user_id FROM profiles WHERE slug = \(bind: slug)").first(decoding: Row.self)?.user_id
    }

    /// A list for another query's `IN`: the ids of the niches on the member's profile.
    static func nicheIDsSQL(of userID: UUID) -> SQLQueryString {
        "(SELECT pn.niche_id FROM profile_niches pn JOIN profiles p ON p.id = pn.profile_id WHERE p.user_id = \(bind: userID))"
    }

    /// A table for the organizer report: each member's first niche (`user_id`, `name`: the niche's name).
    static let leadNicheSQL: SQLQueryString = """
        (SELECT p.user_id, \(NichesSQL.name(of: "pn.niche_id")) AS name FROM profiles p
         JOIN profile_niches pn ON pn.profile_id = p.id AND pn.position = 1)
        """

    struct InPartnerNiche: Decodable, Sendable { var name: String; var slug: String; var niche: String; var user_id: UUID }

    /// Members (not away) working in the niches this member wants to meet, most experienced first; at most 20.
    static func inPartnerNiches(of userID: UUID, on db: any Database) async throws -> [InPartnerNiche] {
        try await db.sql.raw("""
            SELECT \(AccountsSQL.name(of: "p.user_id")) AS name, p.slug, \(NichesSQL.name(of: "w.niche_id")) AS niche, p.user_id
            FROM profiles me JOIN profile_partner_niches w ON w.profile_id = me.id
            JOIN profile_niches pn ON pn.niche_id = w.niche_id JOIN profiles p ON p.id = pn.profile_id
            WHERE me.user_id = \(bind: userID) AND p.user_id <> \(bind: userID) AND p.availability <> 'away'
            ORDER BY pn.level, name LIMIT 20
            """).all(decoding: InPartnerNiche.self)
    }
}
