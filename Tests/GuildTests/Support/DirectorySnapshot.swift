import Fluent
import SQLKit
import VaporTesting

@testable import Guild

/// The directory's content as text, for comparing two ways of reaching the same database state:
/// profiles with their ids and stored tags, search entries, niches, synonyms and memberships.
/// Generated ids and the generation number are left out: they differ by construction.
struct DirectorySnapshot: Equatable, CustomStringConvertible {
    var lines: [String]

    var description: String { lines.joined(separator: "\n") }

    static func take(on db: any Database) async throws -> DirectorySnapshot {
        var lines: [String] = []
        func rows(_ sql: SQLQueryString) async throws {
            for row in try await db.sql.raw(sql).all() {
                lines.append(row.allColumns.map { column in
                    (try? row.decode(column: column, as: Int64.self)).map(String.init)
                        ?? (try? row.decode(column: column, as: String?.self)).flatMap { $0 } ?? "∅"
                }.joined(separator: " | "))
            }
        }
        try await rows("SELECT p.slug, p.search_id, p.niche_tags, p.bio_html FROM profiles p ORDER BY p.slug")
        if db.isSQLite {
            try await rows("SELECT rowid AS id, name, business, headline, bio, niches FROM member_search ORDER BY rowid")
        } else {
            try await rows("SELECT search_id, search_vector::text AS vector FROM member_search_vectors ORDER BY search_id")
        }
        try await rows("""
            SELECT n.slug, n.name, n.client_words, m.slug AS merged, CASE WHEN n.curated THEN 'curated' ELSE 'typed' END AS kind
            FROM niches n LEFT JOIN niches m ON m.id = n.merged_into_id ORDER BY n.slug
            """)
        try await rows("SELECT a.term, a.label, n.slug FROM niche_aliases a JOIN niches n ON n.id = a.niche_id ORDER BY a.term")
        try await rows("""
            SELECT p.slug, n.slug AS niche, pn.level, pn.position FROM profile_niches pn JOIN profiles p ON p.id = pn.profile_id
            JOIN niches n ON n.id = pn.niche_id ORDER BY p.slug, pn.position
            """)
        return DirectorySnapshot(lines: lines)
    }
}
