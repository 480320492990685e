import Taxonomy
import Fluent
import SQLKit
import Vapor

/// Finds the niche a person means: by any name or synonym after normalization, following merges;
/// creates a new, uncurated niche only when nothing matches.
enum NicheResolver {
    struct Resolved: Sendable, Equatable {
        var id: UUID
        var slug: String
        var name: String
    }

    static func find(_ typed: String, on db: any Database) async throws -> Resolved? {
        let term = NicheNormalizer.key(typed)
        guard !term.isEmpty else { return nil }
        struct Row: Decodable { var id: UUID; var slug: String; var name: String; var merged_into_id: UUID? }
        guard var row = try await db.sql.raw("""
            SELECT n.id, n.slug, n.name, n.merged_into_id FROM niche_aliases a JOIN niches n ON n.id = a.niche_id
            WHERE a.term = \(bind: term)
            """).first(decoding: Row.self)
        else { return nil }
        // Merges can chain (a → b → c); a short bound protects against a cycle made by hand.
        for _ in 0..<10 {
            guard let next = row.merged_into_id,
                let target = try await db.sql.raw("SELECT id, slug, name, merged_into_id FROM niches WHERE id = \(bind: next)")
                    .first(decoding: Row.self)
            else { break }
            row = target
        }
        return Resolved(id: row.id, slug: row.slug, name: row.name)
    }

    /// Niche tags a member typed for a request or a post (names, synonyms or slugs), in their order
    /// without repeats; or the first one that names no niche. Tags never create niches.
    static func tags(_ typed: [String], on db: any Database) async throws -> Result<[Resolved], UnknownTag> {
        var resolved: [Resolved] = []
        for name in typed {
            guard name.unicodeScalars.count <= 100, let niche = try await find(name, on: db) else { return .failure(UnknownTag(name: name)) }
            if !resolved.contains(niche) { resolved.append(niche) }
        }
        return .success(resolved)
    }

    struct UnknownTag: Error { var name: String }

    /// Upserts, not check-then-insert: two members saving the same new niche at once (PostgreSQL
    /// runs them in parallel) both end in one niche, and neither gets a unique-key error.
    static func findOrCreate(_ typed: String, on db: any Database) async throws -> Resolved {
        if let found = try await find(typed, on: db) { return found }
        let name = typed.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .split(separator: " ").joined(separator: " ")
        let base = Slug.make(name).isEmpty ? "niche" : Slug.make(name)
        struct Inserted: Decodable { var id: UUID }
        for attempt in 0..<3 {
            let id = UUID()
            let slug = attempt == 0 ? base : base + "-" + id.uuidString.prefix(6).lowercased()
            let inserted = try await db.sql.raw("""
                INSERT INTO niches (id, slug, name, client_words, curated, created_at)
                VALUES (\(bind: id), \(bind: slug), \(bind: name), '', \(bind: false), \(bind: Date()))
                ON CONFLICT (slug) DO NOTHING RETURNING id
                """).first(decoding: Inserted.self)
            if inserted != nil {
                try await addAlias(name, to: id, on: db)
            }
            // Whoever inserted first owns the name; a slug taken by a different niche tries another.
            if let found = try await find(typed, on: db) { return found }
        }
        throw CommonError.invalidField(.init(field: "niches", message: "“\(typed)” could not be saved as a niche; try another name."))
    }

    /// Adds a synonym; false when the normalized term already belongs to a niche.
    @discardableResult
    static func addAlias(_ label: String, to nicheID: UUID, on db: any Database) async throws -> Bool {
        let term = NicheNormalizer.key(label)
        guard !term.isEmpty else { return false }
        struct Inserted: Decodable { var id: UUID }
        return try await db.sql.raw("""
            INSERT INTO niche_aliases (id, term, label, niche_id) VALUES (\(bind: UUID()), \(bind: term), \(bind: label), \(bind: nicheID))
            ON CONFLICT (term) DO NOTHING RETURNING id
            """).first(decoding: Inserted.self) != nil
    }

    /// Moves every link to `source` (the features' tables in `NicheLink.all`, each owner rebuilding what
    /// shows the niche) and its synonyms to `target`, and marks `source` merged.
    static func merge(_ source: UUID, into target: UUID, on db: any Database) async throws {
        // Synonyms first: the owners' refresh then gives the target's rows the source's synonyms too.
        try await db.sql.raw("UPDATE niche_aliases SET niche_id = \(bind: target) WHERE niche_id = \(bind: source)").run()
        try await NicheLink.merge(source, into: target, on: db)
        try await db.sql.raw("UPDATE niches SET merged_into_id = \(bind: target) WHERE id = \(bind: source)").run()
    }
}
