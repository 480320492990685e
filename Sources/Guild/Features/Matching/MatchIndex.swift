import Fluent
import Matching
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// This server's picture of every member's pieces and vectors (a `MatchSnapshot`), brought up to
/// date from the database's change numbers: a request first asks for `match_state.version` (one
/// small read) and, when another writer (this server's worker, another instance, an import) moved
/// it, reads only what changed since. Requests rank against the snapshot they got, concurrently.
final class MatchIndex: Sendable {
    private let current = NIOLockedValueBox(MatchSnapshot.empty)
    private let refreshing = RefreshGate()

    var snapshot: MatchSnapshot { current.withLockedValue { $0 } }

    /// Reads what changed since this server's snapshot; one refresh at a time, others wait for it.
    func refresh(on db: any Database) async throws {
        struct Version: Decodable { var value: Int64 }
        let latest = try await db.sql.raw("SELECT value FROM match_state WHERE name = 'version'").first(decoding: Version.self)?.value ?? 0
        guard latest > snapshot.version else { return }
        try await refreshing.run { [self] in
            let since = snapshot.version
            guard latest > since else { return }
            let next = try await Self.changes(since: since, upTo: latest, applyingTo: snapshot, on: db)
            current.withLockedValue { if next.version > $0.version { $0 = next } }
        }
    }

    static func changes(since: Int64, upTo latest: Int64, applyingTo snapshot: MatchSnapshot, on db: any Database) async throws -> MatchSnapshot {
        struct VectorRow: Decodable { var id: Int64; var vector: Data }
        struct MemberRow: Decodable { var profile_id: UUID; var city_key: String; var remote: Bool; var availability: String; var away_until: Date? }
        struct PieceRow: Decodable { var profile_id: UUID; var position: Int; var kind: String; var text_id: Int64 }
        let vectors = try await db.sql.raw("""
            SELECT id, vector FROM match_texts WHERE version > \(bind: since) AND vector IS NOT NULL
            """).all(decoding: VectorRow.self)
        let members = try await db.sql.raw("""
            SELECT mp.profile_id, p.city_key, p.remote, p.availability, p.away_until FROM match_profiles mp
            JOIN profiles p ON p.id = mp.profile_id WHERE mp.version > \(bind: since)
            """).all(decoding: MemberRow.self)
        let pieces = try await db.sql.raw("""
            SELECT s.profile_id, s.position, s.kind, s.text_id FROM match_sentences s
            JOIN match_profiles mp ON mp.profile_id = s.profile_id WHERE mp.version > \(bind: since)
            """).all(decoding: PieceRow.self)
        var piecesOf: [UUID: [MatchMember.Piece]] = [:]
        for row in pieces {
            piecesOf[row.profile_id, default: []].append(
                .init(textID: row.text_id, kind: SentenceKind(rawValue: row.kind) ?? .sentence, position: row.position))
        }
        let now = Date()
        let changed = members.map { row in
            MatchMember(
                id: row.profile_id, cityKey: row.city_key, remote: row.remote,
                away: row.availability == Availability.away.rawValue && (row.away_until.map { $0 > now } ?? true),
                pieces: (piecesOf[row.profile_id] ?? []).sorted { $0.position < $1.position })
        }
        return snapshot.updating(
            version: latest, vectors: vectors.compactMap { row in MatchEmbedder.vector(row.vector).map { (row.id, $0) } },
            members: changed)
    }
}

/// Runs refreshes one after another: a caller waits for the one before it, which usually leaves it
/// nothing to read.
actor RefreshGate {
    private var last: Task<Void, any Error>?

    func run(_ work: @escaping @Sendable () async throws -> Void) async throws {
        let previous = last
        let task = Task {
            _ = try? await previous?.value
            try await work()
        }
        last = task
        try await task.value
    }
}
