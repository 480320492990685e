import Fluent
import Foundation
import SQLKit

/// A table that ties rows of some feature to niches, declared by the feature that owns the table (in
/// its own folder, as an extension of `NicheLink`) and listed once in `NicheLink.all`. Merging a niche
/// moves every link listed here; `NicheLinkTests` reads the foreign keys to `niches` from the live
/// schema on both databases and fails when one is not listed, so a new link cannot be forgotten.
struct NicheLink: Sendable {
    enum Shape: Sendable {
        /// Several niches per row, one link row each, unique per (`key`, niche): a row tagged with both
        /// niches keeps one link after a merge.
        case set(key: String)
        /// One niche per row, in a column of the row itself (its key is `id`).
        case attribute
    }

    /// The feature that owns the table.
    var owner: String
    var table: String
    var column = "niche_id"
    var shape: Shape
    /// What the owner rebuilds for the rows a merge touched, given their keys (search entries that show
    /// the niche's name or its synonyms), inside the merge's transaction.
    var refresh: (@Sendable ([UUID], any Database) async throws -> Void)?

    var key: String {
        switch shape {
        case .set(let key): key
        case .attribute: "id"
        }
    }
}

extension NicheLink {
    /// Every link to a niche outside the Niches feature's own tables (`niches.merged_into_id`, `niche_aliases`).
    static let all: [NicheLink] = [
        .profileNiches, .partnerWishes, .requestNiches, .postNiches, .blogRecommendationNiches, .contactNiches,
        .coverBackups, .disciplines,
    ]

    /// Moves every link of `source` to `target`, then lets each owner rebuild what shows the niche for
    /// the rows that had either of them (the target's rows gain the source's synonyms).
    static func merge(_ source: UUID, into target: UUID, on db: any Database) async throws {
        struct Row: Decodable { var key: UUID }
        for link in all {
            let table = SQLIdentifier(link.table), column = SQLIdentifier(link.column), key = SQLIdentifier(link.key)
            let touched = link.refresh == nil ? [] : try await db.sql.raw("""
                SELECT DISTINCT \(key) AS key FROM \(table) WHERE \(column) IN (\(bind: source), \(bind: target))
                """).all(decoding: Row.self).map(\.key)
            if case .set = link.shape {
                try await db.sql.raw("""
                    DELETE FROM \(table) WHERE \(column) = \(bind: source)
                    AND \(key) IN (SELECT \(key) FROM \(table) WHERE \(column) = \(bind: target))
                    """).run()
            }
            try await db.sql.raw("UPDATE \(table) SET \(column) = \(bind: target) WHERE \(column) = \(bind: source)").run()
            if let refresh = link.refresh, !touched.isEmpty { try await refresh(touched, db) }
        }
    }

    /// How many rows of each link name this niche (the admin's view before a merge, the tests).
    static func counts(of niche: UUID, on db: any Database) async throws -> [String: Int] {
        struct Row: Decodable { var n: Int }
        var counts: [String: Int] = [:]
        for link in all {
            counts[link.table] = try await db.sql.raw("""
                SELECT COUNT(*) AS n FROM \(SQLIdentifier(link.table)) WHERE \(SQLIdentifier(link.column)) = \(bind: niche)
                """).first(decoding: Row.self)?.n ?? 0
        }
        return counts
    }
}
