import Fluent
import Matching
import SQLKit
import Vapor

/// Keeps each member's pieces (niches, headline, bio sentences) in `match_sentences` and queues
/// texts nobody has embedded yet. A profile save and a roster import call it right after their own
/// commit (`Profiles.save`); a niche merge and the demo writer inside theirs (`MemberIndexes.refresh`).
/// The vectors come later, from `MatchEmbedder`.
enum MatchSentences {
    static func refresh(_ profileIDs: [UUID], on db: any Database) async throws {
        guard !profileIDs.isEmpty else { return }
        struct ProfileRow: Decodable { var id: UUID; var headline: String; var bio: String }
        struct NicheRow: Decodable { var profile_id: UUID; var niche_id: UUID; var label: String?; var name: String; var client_words: String }
        struct AliasRow: Decodable { var niche_id: UUID; var label: String }
        for batch in stride(from: 0, to: profileIDs.count, by: 400).map({ Array(profileIDs[$0..<min($0 + 400, profileIDs.count)]) }) {
            let profiles = try await db.sql.raw("SELECT id, headline, bio FROM profiles WHERE id IN (\(binds: batch))")
                .all(decoding: ProfileRow.self)
            let niches = try await db.sql.raw("""
                SELECT pn.profile_id, pn.niche_id, pn.label, n.name, n.client_words FROM profile_niches pn
                JOIN niches n ON n.id = pn.niche_id WHERE pn.profile_id IN (\(binds: batch)) ORDER BY pn.profile_id, pn.position
                """).all(decoding: NicheRow.self)
            let nicheIDs = Array(Set(niches.map(\.niche_id)))
            let aliases = nicheIDs.isEmpty ? [] : try await db.sql.raw("""
                SELECT niche_id, label FROM niche_aliases WHERE niche_id IN (\(binds: nicheIDs)) ORDER BY label
                """).all(decoding: AliasRow.self)
            // A niche's synonyms as the taxonomy lists them; a popular niche's members may have added
            // many more, so at most eight.
            let synonymsOf = Dictionary(grouping: aliases, by: \.niche_id).mapValues { Array($0.map(\.label).prefix(8)) }
            let nichesOf = Dictionary(grouping: niches, by: \.profile_id)
            let pieces = profiles.map { profile in
                (profile.id, ProfileSentences.make(
                    niches: nichesOf[profile.id, default: []].map { niche in
                        NichePiece(
                            name: niche.name, label: niche.label, synonyms: synonymsOf[niche.niche_id] ?? [],
                            clientWords: niche.client_words.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
                    },
                    headline: profile.headline, bio: profile.bio))
            }
            let ids = try await textIDs(Set(pieces.flatMap { $0.1.map(\.text) }), on: db)
            try await db.sql.raw("DELETE FROM match_sentences WHERE profile_id IN (\(binds: batch))").run()
            let rows: [SQLQueryString] = pieces.flatMap { id, sentences in
                sentences.enumerated().map { position, piece in
                    "(\(bind: id), \(bind: position), \(bind: piece.kind.rawValue), \(bind: ids[piece.text]!))"
                }
            }
            for chunk in stride(from: 0, to: rows.count, by: 500).map({ Array(rows[$0..<min($0 + 500, rows.count)]) }) {
                try await db.sql.raw("INSERT INTO match_sentences (profile_id, position, kind, text_id) VALUES \(chunk.joined(separator: ", "))").run()
            }
            // Last, so the version row (every writer's) is locked only for the upsert and the commit.
            let version = try await nextVersion(on: db)
            let versions: [SQLQueryString] = profiles.map { "(\(bind: $0.id), \(bind: version))" }
            if !versions.isEmpty {
                try await db.sql.raw("""
                    INSERT INTO match_profiles (profile_id, version) VALUES \(versions.joined(separator: ", "))
                    ON CONFLICT (profile_id) DO UPDATE SET version = EXCLUDED.version
                    """).run()
            }
        }
    }

    /// Ids of these texts in `match_texts`, adding the new ones (without a vector: queued).
    static func textIDs(_ texts: Set<String>, on db: any Database) async throws -> [String: Int64] {
        struct Row: Decodable { var id: Int64; var text_hash: String }
        let hashes = Dictionary(texts.map { (hash($0), $0) }, uniquingKeysWith: { first, _ in first })
        // In one order for every writer: two saves adding overlapping new texts in different orders
        // would each wait on the other's uncommitted row (a deadlock on PostgreSQL).
        let entries = hashes.sorted { $0.key < $1.key }
        var ids: [String: Int64] = [:]
        for batch in stride(from: 0, to: entries.count, by: 400).map({ Array(entries[$0..<min($0 + 400, entries.count)]) }) {
            let values: [SQLQueryString] = batch.map { "(\(bind: $0.key), \(bind: $0.value))" }
            try await db.sql.raw("""
                INSERT INTO match_texts (text_hash, text) VALUES \(values.joined(separator: ", ")) ON CONFLICT (text_hash) DO NOTHING
                """).run()
            let rows = try await db.sql.raw("SELECT id, text_hash FROM match_texts WHERE text_hash IN (\(binds: batch.map(\.key)))")
                .all(decoding: Row.self)
            for row in rows { if let text = hashes[row.text_hash] { ids[text] = row.id } }
        }
        return ids
    }

    /// The next change number. The row lock is held to commit, so numbers become visible in order.
    static func nextVersion(on db: any Database) async throws -> Int64 {
        struct Row: Decodable { var value: Int64 }
        guard let row = try await db.sql.raw("UPDATE match_state SET value = value + 1 WHERE name = 'version' RETURNING value")
            .first(decoding: Row.self) else { throw Abort(.internalServerError, reason: "match_state has no version row") }
        return row.value
    }

    /// A text's key in `match_texts`: SHA-256 in hex, as tokens are stored.
    static func hash(_ text: String) -> String { SecureToken.hash(text) }
}

/// Everything derived from a profile's text, rebuilt together: the search entry and the matching pieces.
enum MemberIndexes {
    static func refresh(_ profileIDs: [UUID], storingTags: Bool = true, on db: any Database) async throws {
        try await MemberSearchIndex.reindex(profileIDs, storingTags: storingTags, on: db)
        try await MatchSentences.refresh(profileIDs, on: db)
    }
}
