import Fluent
import SQLKit
import Vapor

/// Keeps the full-text index of members right, and hides the dialect: an FTS5 table ranked with
/// bm25 on SQLite, weighted tsvectors with a GIN index in `member_search_vectors` on PostgreSQL.
/// Both stem English words.
enum MemberSearchIndex {
    struct Document: Sendable {
        var profileID: UUID
        var searchID: Int64
        var name: String
        var business: String
        var headline: String
        var bio: String
        var niches: String
    }

    /// The next `count` search ids, in order (see migration 013 for why). Call inside a write
    /// transaction: on SQLite the write lock keeps two writers from taking the same ids.
    static func nextSearchIDs(_ count: Int, on db: any Database) async throws -> [Int64] {
        guard count > 0 else { return [] }
        struct Row: Decodable { var id: Int64 }
        guard db.isSQLite else {
            return try await db.sql.raw("SELECT nextval('profile_search_ids') AS id FROM generate_series(1, \(literal: count))")
                .all(decoding: Row.self).map(\.id)
        }
        let last = try await db.sql.raw("SELECT COALESCE(MAX(search_id), 0) AS id FROM profiles").first(decoding: Row.self)?.id ?? 0
        return (1...Int64(count)).map { last + $0 }
    }

    /// Rebuilds the entries of these profiles from the tables (after an edit, an import or a merge),
    /// with their stored `ProfileTags` (`storingTags: false`: the writer stored them with the rows).
    static func reindex(_ profileIDs: [UUID], storingTags: Bool = true, on db: any Database) async throws {
        for batch in stride(from: 0, to: profileIDs.count, by: 400).map({ Array(profileIDs[$0..<min($0 + 400, profileIDs.count)]) }) {
            // In search-id order: FTS5 writes its pending entries out whenever a rowid is lower than the
            // one before, so documents in the order of their random profile ids cost a flush each.
            let documents = try await self.documents(batch, on: db).sorted { $0.searchID < $1.searchID }
            if storingTags { try await ProfileTags.store(batch, on: db) }
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

    /// Drops the entry of a profile about to be deleted (PostgreSQL's go with the profile row).
    static func remove(userID: UUID, on db: any Database) async throws {
        guard db.isSQLite else { return }
        try await db.sql.raw("DELETE FROM member_search WHERE rowid IN (SELECT search_id FROM profiles WHERE user_id = \(bind: userID))").run()
    }

    static func documents(_ profileIDs: [UUID], on db: any Database) async throws -> [Document] {
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
}
