import Directory
import Fluent
import Foundation
import SQLKit

/// Loads the curated niches of `Resources/Taxonomy/niches.txt` as the file is now, so a new database
/// starts current. Changes to the file ship as `TaxonomyUpdate` migrations (015 on) that bring
/// existing databases to the same place; this code never changes.
struct LoadNicheTaxonomy: AsyncMigration {
    var name: String { "009_LoadNicheTaxonomy" }
    let taxonomy: Taxonomy

    func prepare(on database: any Database) async throws {
        try await database.writeTransaction { db in
            var usedTerms = Set<String>()
            for (position, category) in taxonomy.categories.enumerated() {
                let categoryID = UUID()
                try await db.sql.insert(into: "niche_categories")
                    .columns("id", "slug", "name", "position")
                    .values(SQLBind(categoryID), SQLBind(category.slug), SQLBind(category.name), SQLBind(position))
                    .run()
                for entry in category.niches {
                    let nicheID = UUID()
                    try await db.sql.insert(into: "niches")
                        .columns("id", "slug", "name", "category_id", "client_words", "curated", "created_at")
                        .values(SQLBind(nicheID), SQLBind(entry.slug), SQLBind(entry.name), SQLBind(categoryID),
                                SQLBind(entry.clientWords.joined(separator: "; ")), SQLBind(true), SQLBind(Date()))
                        .run()
                    for label in [entry.name] + entry.synonyms {
                        let term = NicheNormalizer.key(label)
                        guard !term.isEmpty, usedTerms.insert(term).inserted else { continue }
                        try await db.sql.insert(into: "niche_aliases").columns("id", "term", "label", "niche_id")
                            .values(SQLBind(UUID()), SQLBind(term), SQLBind(label), SQLBind(nicheID)).run()
                    }
                }
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DELETE FROM niche_aliases").run()
        try await database.sql.raw("DELETE FROM niches").run()
        try await database.sql.raw("DELETE FROM niche_categories").run()
    }
}
