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

    /// What changed since `since`, read in pages: a first start reads every member (700,000 pieces at
    /// 100,000 members), and decoding that as one result held hundreds of megabytes at once, which
    /// the allocator then kept (the server sat at 630 MB).
    static func changes(since: Int64, upTo latest: Int64, applyingTo snapshot: MatchSnapshot, on db: any Database) async throws -> MatchSnapshot {
        struct VectorRow: Decodable { var id: Int64; var vector: Data }
        struct MemberRow: Decodable { var profile_id: UUID; var city_key: String; var remote: Bool; var availability: String; var away_until: Date? }
        struct PieceRow: Decodable { var profile_id: UUID; var position: Int; var kind: String; var text_id: Int64 }
        var vectors: [(textID: Int64, vector: [Float])] = []
        var lastID: Int64 = 0
        while true {
            let page = try await db.sql.raw("""
                SELECT id, vector FROM match_texts WHERE version > \(bind: since) AND vector IS NOT NULL AND id > \(bind: lastID)
                ORDER BY id LIMIT 2000
                """).all(decoding: VectorRow.self)
            vectors += page.compactMap { row in MatchEmbedder.vector(row.vector).map { (row.id, $0) } }
            guard let last = page.last, page.count == 2000 else { break }
            lastID = last.id
        }
        let members = try await db.sql.raw("""
            SELECT mp.profile_id, p.city_key, p.remote, p.availability, p.away_until FROM match_profiles mp
            JOIN profiles p ON p.id = mp.profile_id WHERE mp.version > \(bind: since)
            """).all(decoding: MemberRow.self)
        let now = Date()
        var changed: [MatchMember] = []
        changed.reserveCapacity(members.count)
        for batch in stride(from: 0, to: members.count, by: 2000).map({ members[$0..<min($0 + 2000, members.count)] }) {
            let pieces = try await db.sql.raw("""
                SELECT profile_id, position, kind, text_id FROM match_sentences WHERE profile_id IN (\(binds: batch.map(\.profile_id)))
                """).all(decoding: PieceRow.self)
            var piecesOf: [UUID: [MatchMember.Piece]] = [:]
            for row in pieces {
                piecesOf[row.profile_id, default: []].append(
                    .init(textID: row.text_id, kind: SentenceKind(rawValue: row.kind) ?? .sentence, position: row.position))
            }
            for row in batch {
                changed.append(MatchMember(
                    id: row.profile_id, cityKey: row.city_key, remote: row.remote,
                    away: row.availability == Availability.away.rawValue && (row.away_until.map { $0 > now } ?? true),
                    pieces: (piecesOf[row.profile_id] ?? []).sorted { $0.position < $1.position }))
            }
        }
        let next = snapshot.updating(version: latest, vectors: vectors, members: changed)
        if members.count > 10_000 { Memory.returnFreedPages() }
        return next
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
