import Foundation
import VaporCSQLite

/// `guild_rank(table, weight…)`: an FTS5 ranking function installed on every SQLite connection
/// (`install()` before the first one opens). It is FTS5's own `bm25` with the same idf, k1 = 1.2
/// and column weights, but without the document-length term (b = 0), which is the one part that
/// cost a lookup per match: `bm25` reads each matching row's column sizes through a statement of
/// its own, 0.5 µs of its 0.8 µs a match, 13 ms for a word 17,000 members use at 100,000 members.
/// PostgreSQL's `ts_rank` (normalization 0) ignores length too, so both databases now rank alike:
/// a word in a niche (weight 10) beats the same word in a bio (weight 1) unless the bio repeats it
/// about eight times, and repeats count for less and less (k1).
///
/// Score = −Σ over phrases of idf × f × (k1 + 1) ÷ (f + k1), f = Σ of the weights of the columns
/// each hit is in; negative like `bm25`, so `ORDER BY` ascending puts the best first. With one
/// phrase the idf multiplies every score alike and is left out (1), which saves a pass over its
/// matches; with several it is `bm25`'s, ln((N − n + ½) ÷ (n + ½)), at least 10⁻⁶.
///
/// `guild_rank_rows()` is how many rows `guild_rank` scored in the connection's last statement
/// that used it: read in the same statement, above a ranked and limited subquery (which scores every
/// match before it yields one), it is the number of matches, without a second pass to count them.
enum SQLiteSearchRank {
    static let name = "guild_rank"
    static let rows = "guild_rank_rows"

    /// Registers the functions for every connection opened from now on; once per process.
    static func install() { _ = installed }

    private static let installed: Bool = {
        sqlite_nio_sqlite3_auto_extension(unsafeBitCast(registerOnConnection, to: (@convention(c) () -> Void).self)) == SQLITE_OK
    }()
}

/// Called by SQLite as each connection opens: asks FTS5 for its API and adds `guild_rank`, and
/// `guild_rank_rows` beside it sharing the connection's counter (freed with the FTS5 function).
private let registerOnConnection: @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32 = { db, _, _ in
    var statement: OpaquePointer?
    guard sqlite_nio_sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK else { return SQLITE_OK }
    defer { sqlite_nio_sqlite3_finalize(statement) }
    let slot = UnsafeMutablePointer<UnsafeMutablePointer<fts5_api>?>.allocate(capacity: 1)
    defer { slot.deallocate() }
    slot.initialize(to: nil)
    sqlite_nio_sqlite3_bind_pointer(statement, 1, slot, "fts5_api_ptr", nil)
    _ = sqlite_nio_sqlite3_step(statement)
    guard let api = slot.pointee, api.pointee.iVersion >= 2, let create = api.pointee.xCreateFunction else { return SQLITE_OK }
    let counter = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    counter.initialize(to: 0)
    let created = create(api, SQLiteSearchRank.name, counter, rankRow, { $0?.assumingMemoryBound(to: Int64.self).deallocate() })
    guard created == SQLITE_OK else { return created }
    // Not deterministic: read anew for every row, never once up front.
    return sqlite_nio_sqlite3_create_function_v2(db, SQLiteSearchRank.rows, 0, SQLITE_UTF8, counter, { context, _, _ in
        let counter = sqlite_nio_sqlite3_user_data(context)!.assumingMemoryBound(to: Int64.self)
        sqlite_nio_sqlite3_result_int64(context, counter.pointee)
    }, nil, nil, nil)
}

private let k1 = 1.2

/// One row's score. Per statement, the idf of each phrase and the weights are worked out once and
/// kept as FTS5 auxiliary data, with room for the row's frequencies, so a row allocates nothing.
private let rankRow: fts5_extension_function = { apiPointer, fts, context, argumentCount, arguments in
    guard let api = apiPointer?.pointee, let fts else { return }
    let phrases = Int(api.xPhraseCount!(fts))
    let columns = Int(api.xColumnCount!(fts))
    // Layout: idf[phrases], weight[columns], frequency[phrases].
    let counter = api.xUserData!(fts)!.assumingMemoryBound(to: Int64.self)
    var scratch = api.xGetAuxdata!(fts, 0)?.assumingMemoryBound(to: Double.self)
    if scratch == nil {  // the statement's first row
        counter.pointee = 0
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 2 * phrases + columns)
        var rows: Int64 = 0
        _ = api.xRowCount!(fts, &rows)
        for phrase in 0..<phrases {
            guard phrases > 1 else { buffer[phrase] = 1; continue }
            var hits: Int64 = 0
            _ = api.xQueryPhrase!(fts, Int32(phrase), &hits) { _, _, counter in
                counter?.assumingMemoryBound(to: Int64.self).pointee += 1
                return SQLITE_OK
            }
            let idf = log((Double(rows) - Double(hits) + 0.5) / (Double(hits) + 0.5))
            buffer[phrase] = idf > 0 ? idf : 1e-6
        }
        for column in 0..<columns {
            buffer[phrases + column] = column < Int(argumentCount)
                ? sqlite_nio_sqlite3_value_double(arguments![column]) : 1.0
        }
        guard api.xSetAuxdata!(fts, buffer, { $0?.assumingMemoryBound(to: Double.self).deallocate() }) == SQLITE_OK else {
            sqlite_nio_sqlite3_result_error(context, "guild_rank: out of memory", -1)
            return
        }
        scratch = buffer
    }
    guard let scratch else { return }
    counter.pointee += 1
    let weights = scratch + phrases, frequency = scratch + phrases + columns
    frequency.update(repeating: 0, count: phrases)
    var instances: Int32 = 0
    guard api.xInstCount!(fts, &instances) == SQLITE_OK else {
        sqlite_nio_sqlite3_result_error(context, "guild_rank: no instances", -1)
        return
    }
    var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
    for index in 0..<instances where api.xInst!(fts, index, &phrase, &column, &offset) == SQLITE_OK {
        frequency[Int(phrase)] += weights[Int(column)]
    }
    var score = 0.0
    for index in 0..<phrases where frequency[index] > 0 {
        score += scratch[index] * frequency[index] * (k1 + 1) / (frequency[index] + k1)
    }
    sqlite_nio_sqlite3_result_double(context, -score)
}
