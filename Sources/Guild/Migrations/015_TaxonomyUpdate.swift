import Taxonomy
import Fluent
import Foundation
import SQLKit

/// A shipped change to the curated niches. How a taxonomy change ships: edit `niches.txt` (a new
/// database loads the whole file in 009) and append a `TaxonomyUpdate` naming the change, which
/// brings existing databases to the same place. Every step looks before it writes, so on a new
/// database the update finds everything already there and changes nothing.
struct TaxonomyUpdate: AsyncMigration {
    enum Change: Sendable {
        /// A niche of `niches.txt`, with its category, synonyms and client words. A niche members had
        /// already typed under one of its names is merged into it.
        case addNiche(slug: String)
        case addSynonyms(slug: String, [String])
        case addClientWords(slug: String, [String])
        case merge(slug: String, into: String)
    }

    let name: String
    let taxonomy: Taxonomy
    let changes: [Change]

    func prepare(on database: any Database) async throws {
        try await database.writeTransaction { db in try await apply(on: db) }
    }

    /// Data changes are not undone: members may already be listed in an added niche.
    func revert(on database: any Database) async throws {}

    func apply(on db: any Database) async throws {
        // Niches whose members' entries changed, and profiles a merge moved (including members who
        // only want partners in the merged niche: their stored tags name it too).
        var touched: [UUID] = [], moved: [UUID] = []
        for change in changes {
            switch change {
            case .addNiche(let slug):
                guard let added = try await addNiche(slug, on: db) else { continue }
                touched.append(added.id)
                moved += added.moved
            case .addSynonyms(let slug, let labels):
                guard let niche = try await niche(slug, on: db) else { continue }
                for label in labels where try await FrozenDirectoryCode.addAlias(label, to: niche.id, on: db) { touched.append(niche.id) }
            case .addClientWords(let slug, let words):
                guard let niche = try await niche(slug, on: db) else { continue }
                var current = niche.client_words.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let missing = words.filter { word in !current.contains { $0.lowercased() == word.lowercased() } }
                guard !missing.isEmpty else { continue }
                current += missing
                try await db.sql.raw("UPDATE niches SET client_words = \(bind: current.joined(separator: "; ")) WHERE id = \(bind: niche.id)").run()
                touched.append(niche.id)
            case .merge(let slug, let into):
                guard let source = try await niche(slug, on: db), source.merged_into_id == nil,
                    let target = try await niche(into, on: db), target.id != source.id
                else { continue }
                moved += try await FrozenDirectoryCode.merge(source.id, into: target.id, on: db)
            }
        }
        guard !touched.isEmpty || !moved.isEmpty else { return }
        struct Member: Decodable { var profile_id: UUID }
        let members = touched.isEmpty ? [] : try await db.sql.raw("""
            SELECT DISTINCT profile_id FROM profile_niches WHERE niche_id IN (\(binds: touched))
            """).all(decoding: Member.self).map(\.profile_id)
        try await FrozenDirectoryCode.reindex(Array(Set(members + moved)), on: db)
    }

    private struct NicheRow: Decodable { var id: UUID; var client_words: String; var merged_into_id: UUID? }

    private func niche(_ slug: String, on db: any Database) async throws -> NicheRow? {
        try await db.sql.raw("SELECT id, client_words, merged_into_id FROM niches WHERE slug = \(bind: slug)").first(decoding: NicheRow.self)
    }

    /// The added niche and the profiles moved into it; nil when it was already there.
    private func addNiche(_ slug: String, on db: any Database) async throws -> (id: UUID, moved: [UUID])? {
        guard try await niche(slug, on: db) == nil else { return nil }
        guard let category = taxonomy.categories.first(where: { $0.niches.contains { $0.slug == slug } }),
            let entry = category.niches.first(where: { $0.slug == slug })
        else { throw TaxonomyUpdateError(migration: name, slug: slug) }
        struct Category: Decodable { var id: UUID }
        struct Position: Decodable { var next: Int }
        let categoryID: UUID
        if let existing = try await db.sql.raw("SELECT id FROM niche_categories WHERE slug = \(bind: category.slug)").first(decoding: Category.self) {
            categoryID = existing.id
        } else {
            categoryID = UUID()
            let next = try await db.sql.raw("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM niche_categories").first(decoding: Position.self)?.next ?? 0
            try await db.sql.insert(into: "niche_categories").columns("id", "slug", "name", "position")
                .values(SQLBind(categoryID), SQLBind(category.slug), SQLBind(category.name), SQLBind(next)).run()
        }
        let nicheID = UUID()
        try await db.sql.insert(into: "niches")
            .columns("id", "slug", "name", "category_id", "client_words", "curated", "created_at")
            .values(SQLBind(nicheID), SQLBind(entry.slug), SQLBind(entry.name), SQLBind(categoryID),
                    SQLBind(entry.clientWords.joined(separator: "; ")), SQLBind(true), SQLBind(Date()))
            .run()
        var moved: [UUID] = []
        for label in [entry.name] + entry.synonyms {
            if try await FrozenDirectoryCode.addAlias(label, to: nicheID, on: db) { continue }
            // The name is taken: by a niche members typed themselves, which joins the curated one.
            guard let owner = try await FrozenDirectoryCode.find(label, on: db), owner.id != nicheID else { continue }
            struct Curated: Decodable { var curated: Bool }
            let curated = try await db.sql.raw("SELECT curated FROM niches WHERE id = \(bind: owner.id)").first(decoding: Curated.self)?.curated ?? true
            guard !curated else { continue }
            moved += try await FrozenDirectoryCode.merge(owner.id, into: nicheID, on: db)
        }
        return (nicheID, moved)
    }
}

struct TaxonomyUpdateError: Error, CustomStringConvertible {
    var migration: String
    var slug: String
    var description: String { "\(migration): niches.txt has no niche with the slug \(slug)" }
}
