import Fluent
import NIOConcurrencyHelpers

/// Values computed from the directory, kept until it changes: each is tagged with the
/// `CacheGeneration` read before computing it and served only while that is still current,
/// on every server sharing the database. Least recently used entries go first when full.
///
/// **The one cache rule: whatever a cached value reads can invalidate it.** The generation moves
/// by database trigger on every write to a table that a cached computation reads (migration 016 for
/// the directory, 026 for knowledge: each cache follows the `CacheGeneration` of its scope), whoever
/// writes it, so no write path can forget. A feature that makes a cached page read a new
/// table (referral counts on a profile, say) adds that table's trigger in its migration, like
/// 016 does; a new cache adds its computations to `CacheRuleTests.cachedReads`. That test records
/// the SQL of every cached computation and fails while any table it reads has no trigger.
final class GenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var generation: Int64
        var value: Value
        var stamp: Int
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock = 0
    }

    let capacity: Int
    let generation: CacheGeneration
    private let state = NIOLockedValueBox(State())

    /// `capacity` 0 turns caching off.
    init(capacity: Int, generation: CacheGeneration = CacheGeneration()) {
        self.capacity = capacity
        self.generation = generation
    }

    /// The cached value while the directory has not changed, else `compute()`'s, kept.
    func value(for key: Key, on db: any Database, compute: () async throws -> Value) async throws -> Value {
        guard capacity > 0 else { return try await compute() }
        let current = try await generation.current(on: db)
        if let value = value(for: key, generation: current) { return value }
        let value = try await compute()
        store(value, for: key, generation: current)
        return value
    }

    func value(for key: Key, generation: Int64) -> Value? {
        guard capacity > 0 else { return nil }
        return state.withLockedValue { state in
            guard var entry = state.entries[key], entry.generation == generation else { return nil }
            state.clock += 1
            entry.stamp = state.clock
            state.entries[key] = entry
            return entry.value
        }
    }

    func store(_ value: Value, for key: Key, generation: Int64) {
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
            state.entries[key] = Entry(generation: generation, value: value, stamp: state.clock)
        }
    }

    var count: Int { state.withLockedValue { $0.entries.count } }
}

/// Rendered HTML that is the same for every visitor, with the title of the page it belongs to.
struct Fragment: Sendable {
    var title: String
    var html: String
}

/// Fragments by a key naming the template and its arguments; nil where the page does not exist.
typealias FragmentCache = GenerationCache<String, Fragment?>
