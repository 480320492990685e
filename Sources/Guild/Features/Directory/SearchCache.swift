import Fluent
import FluentPostgresDriver
import NIOConcurrencyHelpers
import SQLKit

/// Recent search results, kept until the directory changes.
///
/// The most common words match thousands of members, and ranking them all is most of a search's
/// cost; the same few queries make up most of the traffic. Every write to the search index bumps
/// `search_state.generation` in its own transaction, so a cached page is served only while the
/// generation it was computed under is still the current one, on every server sharing the database.
final class SearchCache: Sendable {
    struct Key: Hashable, Sendable {
        var words: [String]
        var niche: String
        var city: String
        var remote: Bool
        var available: Bool
        var page: Int
        var perPage: Int

        init(_ query: DirectoryQuery) {
            words = DirectorySearch.tokens(query.q)
            niche = query.niche ?? ""
            city = query.city?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            remote = query.remote == true
            available = query.available == true
            page = max(1, query.page)
            perPage = query.perPage
        }
    }

    private struct Entry {
        var generation: Int64
        var results: DirectoryResults
        var stamp: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock = 0
    }

    let capacity: Int
    /// Where the generation is read on SQLite.
    let reader: SQLiteReader?
    private let state = NIOLockedValueBox(State())

    /// `capacity` 0 turns caching off.
    init(capacity: Int, reader: SQLiteReader? = nil) {
        self.capacity = capacity
        self.reader = reader
    }

    /// Read before every cached search: prepared on PostgreSQL, where planning would cost more than
    /// the read, and through `reader` (outside any transaction) on SQLite.
    static func generation(on db: any Database, reader: SQLiteReader? = nil) async throws -> Int64 {
        if let postgres = db as? any PostgresDatabase {
            return try await postgres.first(PreparedGeneration(), logger: db.logger) ?? 0
        }
        struct Row: Decodable { var generation: Int64 }
        if let reader {
            return try reader.first(PreparedGeneration.sql, decoding: Row.self)?.generation ?? 0
        }
        return try await db.sql.raw("\(unsafeRaw: PreparedGeneration.sql)").first(decoding: Row.self)?.generation ?? 0
    }

    func results(for key: Key, generation: Int64) -> DirectoryResults? {
        guard capacity > 0 else { return nil }
        return state.withLockedValue { state in
            guard var entry = state.entries[key], entry.generation == generation else { return nil }
            state.clock += 1
            entry.stamp = state.clock
            state.entries[key] = entry
            return entry.results
        }
    }

    func store(_ results: DirectoryResults, for key: Key, generation: Int64) {
        guard capacity > 0 else { return }
        state.withLockedValue { state in
            if state.entries.count >= capacity {
                // Drop stale generations, then the least recently used half.
                state.entries = state.entries.filter { $0.value.generation == generation }
                if state.entries.count >= capacity {
                    let keep = state.entries.sorted { $0.value.stamp > $1.value.stamp }.prefix(capacity / 2)
                    state.entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            state.clock += 1
            state.entries[key] = Entry(generation: generation, results: results, stamp: state.clock)
        }
    }

    var count: Int { state.withLockedValue { $0.entries.count } }
}

struct PreparedGeneration: PostgresPreparedStatement {
    typealias Row = Int64
    static let sql = "SELECT generation FROM search_state WHERE id = 1"

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}
