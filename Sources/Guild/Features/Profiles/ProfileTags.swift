import Fluent
import Foundation
import SQLKit

/// A profile's niches (with levels, in the member's order) and partner wishes, kept as JSON on the
/// profile row. Profile pages, the member JSON and every search result read them with the row
/// instead of joining three tables per request; they are rebuilt with the search entry, after
/// every edit, merge and import, from `profile_niches`, which stays the truth.
struct ProfileTags: Codable, Sendable, Equatable {
    var niches: [NicheTag] = []
    var partners: [NicheTag] = []

    static func decode(_ json: String) -> ProfileTags {
        (try? JSONDecoder().decode(ProfileTags.self, from: Data(json.utf8))) ?? ProfileTags()
    }

    /// As stored: JSON with sorted keys.
    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Rebuilds the stored tags of these profiles (at most a few hundred at a time).
    static func store(_ profileIDs: [UUID], on db: any Database) async throws {
        try await store(json(for: profileIDs, on: db), on: db)
    }

    static func store(_ tags: [UUID: String], on db: any Database) async throws {
        guard !tags.isEmpty else { return }
        let values = tags.map { id, json -> SQLQueryString in "(\(bind: id), \(bind: json))" }
        // A named VALUES list in a CTE: the one spelling both SQLite and PostgreSQL accept.
        try await db.sql.raw("""
            WITH v(id, tags) AS (VALUES \(values.joined(separator: ", ")))
            UPDATE profiles SET niche_tags = v.tags FROM v WHERE profiles.id = v.id
            """).run()
    }

    /// The tags of these profiles, encoded as stored.
    static func json(for profileIDs: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !profileIDs.isEmpty else { return [:] }
        struct Row: Decodable { var profile_id: UUID; var kind: String; var slug: String; var name: String; var level: String? }
        let rows = try await db.sql.raw("""
            SELECT pn.profile_id, 'niche' AS kind, \(NichesSQL.slug(of: "pn.niche_id")) AS slug, \(NichesSQL.name(of: "pn.niche_id")) AS name,
                pn.level, pn.position
            FROM profile_niches pn WHERE pn.profile_id IN (\(binds: profileIDs))
            UNION ALL
            SELECT pp.profile_id, 'partner' AS kind, \(NichesSQL.slug(of: "pp.niche_id")) AS slug, \(NichesSQL.name(of: "pp.niche_id")) AS name,
                NULL AS level, 0 AS position
            FROM profile_partner_niches pp WHERE pp.profile_id IN (\(binds: profileIDs))
            ORDER BY 1, 2, 6, 4
            """).all(decoding: Row.self)
        var tags: [UUID: ProfileTags] = [:]
        for row in rows {
            let tag = NicheTag(slug: row.slug, name: row.name, level: row.level)
            if row.kind == "niche" {
                tags[row.profile_id, default: .init()].niches.append(tag)
            } else {
                tags[row.profile_id, default: .init()].partners.append(tag)
            }
        }
        return try Dictionary(uniqueKeysWithValues: profileIDs.map { id in (id, try (tags[id] ?? .init()).encoded()) })
    }
}
