import Embeddings
import Fluent
import SQLKit
import Vapor

/// Embeds queued texts (those in `match_texts` without a vector). Each run claims a batch with a
/// lease, as the outbox does, so several `guild serve` instances share the queue and none embeds a
/// text another is working on; a crashed instance's claim runs out and the text is taken again.
struct MatchEmbedder: Sendable {
    static let lease: TimeInterval = 120
    let db: any Database
    let encoder: SentenceEncoder
    let pool: NIOThreadPool

    struct Claimed: Decodable, Sendable { var id: Int64; var text: String }

    /// Embeds one batch; returns how many texts it stored (0: the queue is empty).
    @discardableResult
    func embedBatch(limit: Int = 64) async throws -> Int {
        let claimed = try await Self.claim(limit: limit, on: db)
        guard !claimed.isEmpty else { return 0 }
        // One share of the batch per core, each on a pool thread.
        let shares = max(1, min(System.coreCount, claimed.count))
        let encoder = self.encoder, pool = self.pool
        let vectors = try await withThrowingTaskGroup(of: [(Int64, [Float])].self) { group in
            for share in 0..<shares {
                let part = stride(from: share, to: claimed.count, by: shares).map { claimed[$0] }
                group.addTask { try await pool.runIfActive { part.map { ($0.id, encoder.embed($0.text)) } } }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        try await db.writeTransaction(reportingGeneration: false) { db in
            let version = try await MatchSentences.nextVersion(on: db)
            for (id, vector) in vectors {
                try await db.sql.raw("""
                    UPDATE match_texts SET vector = \(bind: Self.bytes(vector)), version = \(bind: version), claimed_until = NULL
                    WHERE id = \(bind: id)
                    """).run()
            }
        }
        return vectors.count
    }

    /// Works until nothing is queued; `progress` hears (done, remaining) after each batch.
    func embedAll(progress: (Int, Int) -> Void = { _, _ in }) async throws {
        var done = 0
        while true {
            let count = try await embedBatch()
            if count == 0 { return }
            done += count
            progress(done, try await Self.waiting(on: db))
        }
    }

    /// Takes up to `limit` waiting texts in one statement. PostgreSQL skips rows another instance is
    /// claiming; SQLite serialises writers, so the statement alone is enough there.
    static func claim(limit: Int, now: Date = Date(), on db: any Database) async throws -> [Claimed] {
        return try await db.writeTransaction(reportingGeneration: false) { db in
            guard !db.isSQLite else {
                // One writer at a time: the statement alone is enough.
                return try await db.sql.raw("""
                    UPDATE match_texts SET claimed_until = \(bind: now.addingTimeInterval(Self.lease))
                    WHERE id IN (
                        SELECT id FROM match_texts WHERE vector IS NULL AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                        ORDER BY id LIMIT \(literal: limit))
                    RETURNING id, text
                    """).all(decoding: Claimed.self)
            }
            // The locked pick in a materialized CTE, evaluated once: as `WHERE id IN (… LIMIT n FOR UPDATE
            // SKIP LOCKED)` PostgreSQL may run the subquery again per row and claim fewer (or more) than
            // `limit` (a test under CI load got fewer than 64 of 100 free texts).
            return try await db.sql.raw("""
                WITH picked AS MATERIALIZED (
                    SELECT id FROM match_texts WHERE vector IS NULL AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                    ORDER BY id LIMIT \(literal: limit) FOR UPDATE SKIP LOCKED)
                UPDATE match_texts SET claimed_until = \(bind: now.addingTimeInterval(Self.lease))
                FROM picked WHERE match_texts.id = picked.id
                RETURNING match_texts.id, match_texts.text
                """).all(decoding: Claimed.self)
        }
    }

    static func waiting(on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM match_texts WHERE vector IS NULL").first(decoding: Row.self)?.n ?? 0
    }

    /// float32, little-endian: 1,536 bytes a vector.
    static func bytes(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func vector(_ data: Data) -> [Float]? {
        guard data.count == SentenceEncoder.dimension * 4 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<SentenceEncoder.dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// The background loop inside `guild serve`: loads the model (fetching it first if allowed), then
/// embeds whatever is queued, checking every couple of seconds.
final class MatchWorker: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    let fetchIfMissing: Bool

    init(fetchIfMissing: Bool) { self.fetchIfMissing = fetchIfMissing }

    func didBootAsync(_ app: Application) async throws {
        let fetch = fetchIfMissing
        task = Task {
            let model = app.matchingModel
            await model.fetchIfMissing(allowed: fetch, progress: { app.logger.notice("model: \($0)") }) { error in
                app.logger.error("semantic matching off: could not fetch the model (\(error)); matching is lexical until `guild model fetch` succeeds")
            }
            guard let encoder = await model.load(on: app.threadPool, logger: app.logger) else {
                if case .off(let reason) = model.status { app.logger.warning("semantic matching off: \(reason); matching is lexical") }
                return
            }
            let embedder = MatchEmbedder(db: app.db, encoder: encoder, pool: app.threadPool)
            var reported = false
            while !Task.isCancelled {
                do {
                    let count = try await embedder.embedBatch()
                    if count > 0 {
                        reported = false
                        continue
                    }
                    if !reported {
                        try await app.matchIndex.refresh(on: app.db)
                        // Embedding thousands of texts leaves freed buffers behind; give them back.
                        Memory.returnFreedPages()
                        reported = true
                    }
                } catch {
                    app.logger.error("match worker: \(String(describing: error))")
                }
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
    }
}
