import Fluent
import Foundation
import SQLKit
import Taxonomy

/// What migrations 013 and 015 run, frozen as the directory code was when they landed (issue 13):
/// a landed migration must do the same to a database whatever the feature code becomes, so it
/// carries its own copy instead of calling `MemberSearchIndex`, `ProfileTags` or `NicheResolver`.
/// Never edit this file; a later migration that needs other behaviour brings its own copy.
enum FrozenDirectoryCode {
    // MARK: NicheResolver, as of issue 13

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
        for _ in 0..<10 {
            guard let next = row.merged_into_id,
                let target = try await db.sql.raw("SELECT id, slug, name, merged_into_id FROM niches WHERE id = \(bind: next)")
                    .first(decoding: Row.self)
            else { break }
            row = target
        }
        return Resolved(id: row.id, slug: row.slug, name: row.name)
    }

    static func addAlias(_ label: String, to nicheID: UUID, on db: any Database) async throws -> Bool {
        let term = NicheNormalizer.key(label)
        guard !term.isEmpty else { return false }
        struct Inserted: Decodable { var id: UUID }
        return try await db.sql.raw("""
            INSERT INTO niche_aliases (id, term, label, niche_id) VALUES (\(bind: UUID()), \(bind: term), \(bind: label), \(bind: nicheID))
            ON CONFLICT (term) DO NOTHING RETURNING id
            """).first(decoding: Inserted.self) != nil
    }

    static func merge(_ source: UUID, into target: UUID, on db: any Database) async throws -> [UUID] {
        struct Row: Decodable { var profile_id: UUID }
        let affected = try await db.sql.raw("""
            SELECT profile_id FROM profile_niches WHERE niche_id = \(bind: source)
            UNION SELECT profile_id FROM profile_partner_niches WHERE niche_id = \(bind: source)
            UNION SELECT profile_id FROM profile_niches WHERE niche_id = \(bind: target)
            """).all(decoding: Row.self).map(\.profile_id)
        try await db.sql.raw("""
            DELETE FROM profile_niches WHERE niche_id = \(bind: source)
            AND profile_id IN (SELECT profile_id FROM profile_niches WHERE niche_id = \(bind: target))
            """).run()
        try await db.sql.raw("UPDATE profile_niches SET niche_id = \(bind: target) WHERE niche_id = \(bind: source)").run()
        try await db.sql.raw("""
            DELETE FROM profile_partner_niches WHERE niche_id = \(bind: source)
            AND profile_id IN (SELECT profile_id FROM profile_partner_niches WHERE niche_id = \(bind: target))
            """).run()
        try await db.sql.raw("UPDATE profile_partner_niches SET niche_id = \(bind: target) WHERE niche_id = \(bind: source)").run()
        try await db.sql.raw("UPDATE niche_aliases SET niche_id = \(bind: target) WHERE niche_id = \(bind: source)").run()
        try await db.sql.raw("UPDATE niches SET merged_into_id = \(bind: target) WHERE id = \(bind: source)").run()
        return affected
    }

    // MARK: MemberSearchIndex.reindex and ProfileTags.store, as of issue 13

    /// Rebuilds the search entries and stored tags of these profiles, and moves the directory
    /// generation once, as `MemberSearchIndex.reindex` did when 013 and 015 landed.
    static func reindex(_ profileIDs: [UUID], on db: any Database) async throws {
        try await db.sql.raw("UPDATE search_state SET generation = generation + 1 WHERE id = 1").run()
        for start in stride(from: 0, to: profileIDs.count, by: 400) {
            let batch = Array(profileIDs[start..<min(start + 400, profileIDs.count)])
            let documents = try await self.documents(batch, on: db)
            try await storeTags(batch, on: db)
            if db.isSQLite {
                try await db.sql.raw("DELETE FROM member_search WHERE rowid IN (SELECT search_id FROM profiles WHERE id IN (\(binds: batch)))").run()
                guard !documents.isEmpty else { continue }
                let rows = documents.map { document -> SQLQueryString in
                    "(\(bind: document.searchID), \(bind: document.name), \(bind: document.business), \(bind: document.headline), \(bind: document.bio), \(bind: document.niches))"
                }
                try await db.sql.raw("""
                    INSERT INTO member_search (rowid, name, business, headline, bio, niches) VALUES \(rows.joined(separator: ", "))
                    """).run()
            } else {
                guard !documents.isEmpty else { continue }
                let rows = documents.map { document -> SQLQueryString in
                    """
                    (\(bind: document.profileID), \(bind: document.searchID), \(bind: document.name), \(bind: document.niches), \
                    \(bind: document.business + " " + document.headline), \(bind: document.bio))
                    """
                }
                try await db.sql.raw("""
                    INSERT INTO member_search_vectors (profile_id, search_id, search_vector)
                    SELECT v.id, v.search_id,
                        setweight(to_tsvector('english', v.name), 'A') || setweight(to_tsvector('english', v.niches), 'A') ||
                        setweight(to_tsvector('english', v.about), 'B') || setweight(to_tsvector('english', v.bio), 'D')
                    FROM (VALUES \(rows.joined(separator: ", "))) AS v(id, search_id, name, niches, about, bio)
                    ON CONFLICT (profile_id) DO UPDATE SET search_id = EXCLUDED.search_id, search_vector = EXCLUDED.search_vector
                    """).run()
            }
        }
    }

    private struct Document {
        var profileID: UUID
        var searchID: Int64
        var name: String
        var business: String
        var headline: String
        var bio: String
        var niches: String
    }

    private static func documents(_ profileIDs: [UUID], on db: any Database) async throws -> [Document] {
        guard !profileIDs.isEmpty else { return [] }
        struct ProfileRow: Decodable { var id: UUID; var search_id: Int64; var name: String; var business: String; var headline: String; var bio: String }
        struct NicheRow: Decodable { var profile_id: UUID; var name: String; var client_words: String; var label: String? }
        let profiles = try await db.sql.raw("""
            SELECT p.id, p.search_id, u.name, p.business, p.headline, p.bio FROM profiles p JOIN users u ON u.id = p.user_id
            WHERE p.id IN (\(binds: profileIDs))
            """).all(decoding: ProfileRow.self)
        let niches = try await db.sql.raw("""
            SELECT pn.profile_id, n.name, n.client_words, a.label FROM profile_niches pn
            JOIN niches n ON n.id = pn.niche_id LEFT JOIN niche_aliases a ON a.niche_id = n.id
            WHERE pn.profile_id IN (\(binds: profileIDs))
            """).all(decoding: NicheRow.self)
        var text: [UUID: [String]] = [:]
        for row in niches {
            var words = text[row.profile_id, default: []]
            for piece in [row.name, row.client_words, row.label ?? ""] where !piece.isEmpty && !words.contains(piece) {
                words.append(piece)
            }
            text[row.profile_id] = words
        }
        return profiles.map {
            Document(profileID: $0.id, searchID: $0.search_id, name: $0.name, business: $0.business, headline: $0.headline,
                     bio: $0.bio, niches: (text[$0.id] ?? []).joined(separator: "; "))
        }
    }

    /// `ProfileTags` as stored: `{"niches":[{"level","name","slug"}],"partners":[…]}`, keys sorted.
    private struct Tag: Codable { var slug: String; var name: String; var level: String? }
    private struct Tags: Codable { var niches: [Tag] = []; var partners: [Tag] = [] }

    static func storeTags(_ profileIDs: [UUID], on db: any Database) async throws {
        guard !profileIDs.isEmpty else { return }
        struct Row: Decodable { var profile_id: UUID; var kind: String; var slug: String; var name: String; var level: String? }
        let rows = try await db.sql.raw("""
            SELECT pn.profile_id, 'niche' AS kind, n.slug, n.name, pn.level, pn.position FROM profile_niches pn
            JOIN niches n ON n.id = pn.niche_id WHERE pn.profile_id IN (\(binds: profileIDs))
            UNION ALL
            SELECT pp.profile_id, 'partner' AS kind, n.slug, n.name, NULL AS level, 0 AS position FROM profile_partner_niches pp
            JOIN niches n ON n.id = pp.niche_id WHERE pp.profile_id IN (\(binds: profileIDs))
            ORDER BY 1, 2, 6, 4
            """).all(decoding: Row.self)
        var tags: [UUID: Tags] = [:]
        for row in rows {
            let tag = Tag(slug: row.slug, name: row.name, level: row.level)
            if row.kind == "niche" { tags[row.profile_id, default: .init()].niches.append(tag) } else {
                tags[row.profile_id, default: .init()].partners.append(tag)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let values = try profileIDs.map { id -> SQLQueryString in
            "(\(bind: id), \(bind: String(decoding: try encoder.encode(tags[id] ?? Tags()), as: UTF8.self)))"
        }
        try await db.sql.raw("""
            WITH v(id, tags) AS (VALUES \(values.joined(separator: ", ")))
            UPDATE profiles SET niche_tags = v.tags FROM v WHERE profiles.id = v.id
            """).run()
    }
}
