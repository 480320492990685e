import Fluent
import Foundation
import SQLKit

/// Pieces of SQL other features put in their own queries to show a niche, so that only Niches names
/// `niches` (README, "Tables and their owners").
enum NichesSQL {
    private static let niches = ScalarLookup(table: "niches", key: "id")

    /// The display name of the niche whose id is in `column` (such as `pn.niche_id`).
    static func name(of column: String) -> SQLQueryString { niches.column("name", of: column) }

    /// The id of the niche with this slug (a value bound into the query), or NULL.
    static func id(slug: String) -> SQLQueryString { "(SELECT id FROM niches WHERE slug = \(bind: slug))" }

    /// The niche's slug (`/niches/{slug}`).
    static func slug(of column: String) -> SQLQueryString { niches.column("slug", of: column) }
}

extension Niches {
    /// The id of the niche with this slug, if there is one.
    static func id(slug: String, on db: any Database) async throws -> UUID? {
        struct Found: Decodable { var id: UUID }
        return try await db.sql.raw("SELECT id FROM niches WHERE slug = \(bind: slug)").first(decoding: Found.self)?.id
    }
}
