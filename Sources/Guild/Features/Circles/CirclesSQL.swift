import SQLKit

/// Pieces of SQL other features put in their own queries to show a circle, so that only Circles names
/// `circles` (README, "Tables and their owners").
enum CirclesSQL {
    private static let circles = ScalarLookup(table: "circles", key: "id")

    /// The name of the circle whose id is in `column` (such as `e.circle_id`); NULL when that is NULL.
    static func name(of column: String) -> SQLQueryString { circles.column("name", of: column) }

    /// The circle's slug (`/circles/{slug}`).
    static func slug(of column: String) -> SQLQueryString { circles.column("slug", of: column) }
}
