import NIOConcurrencyHelpers
import SQLiteKit
import SQLKit
import Vapor
import VaporCSQLite

/// The hottest SQLite reads (a profile by slug, the search generation), run synchronously on the
/// calling thread through read-only connections that keep their statements prepared.
///
/// Through Fluent, every SQLite query is prepared anew and makes a round trip to NIO's thread pool
/// and back: more than the read itself when the row is in the page cache (measured in
/// `Benchmarks/BENCHMARKS.md`). In WAL mode a reader never waits for a writer, so a keyed read of a
/// few pages takes microseconds. Only for reads outside a transaction: these connections see what
/// is committed, not what the caller's own open transaction wrote.
final class SQLiteReader: Sendable {
    private let path: String
    private let idle = NIOLockedValueBox<[Connection]>([])
    /// Connections kept for reuse; more are opened under load and closed after use.
    private let keep = 8

    init(path: String) {
        self.path = path
    }

    /// The first row of `sql`, decoded like SQLKit decodes SQLite rows.
    func first<Row: Decodable>(_ sql: String, _ binds: [SQLiteData] = [], decoding: Row.Type) throws -> Row? {
        let connection = try idle.withLockedValue { $0.popLast() } ?? Connection(path: path)
        defer {
            let kept = idle.withLockedValue { connections -> Bool in
                guard connections.count < keep else { return false }
                connections.append(connection)
                return true
            }
            if !kept { connection.close() }
        }
        return try connection.first(sql, binds)?.decode(model: Row.self)
    }

    struct ReadError: Error, CustomStringConvertible {
        var message: String
        var description: String { "SQLite read failed: \(message)" }
    }

    var idleConnections: Int { idle.withLockedValue(\.count) }

    func shutdown() {
        for connection in idle.withLockedValue({ connections in defer { connections = [] }; return connections }) {
            connection.close()
        }
    }

    /// One read-only connection and its prepared statements; used by one thread at a time.
    private final class Connection: @unchecked Sendable {
        private var handle: OpaquePointer?
        private var statements: [String: OpaquePointer] = [:]

        init(path: String) throws {
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
            guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
                let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
                sqlite_nio_sqlite3_close(handle)
                throw ReadError(message: "cannot open \(path): \(message)")
            }
            // Writes go through Fluent; this connection cannot make any.
            for pragma in ["PRAGMA query_only = ON", "PRAGMA busy_timeout = 10000", "PRAGMA cache_size = -8192"] {
                guard sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil) == SQLITE_OK else { throw error() }
            }
        }

        func first(_ sql: String, _ binds: [SQLiteData]) throws -> ReaderRow? {
            let statement = try prepared(sql)
            defer {
                // Ends the read transaction and frees the bindings for the next call.
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            for (index, value) in binds.enumerated() {
                try bind(value, at: Int32(index + 1), in: statement)
            }
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLITE_ROW: break
            case SQLITE_DONE: return nil
            default: throw error()
            }
            let count = sqlite_nio_sqlite3_column_count(statement)
            var columns: [String: SQLiteData] = [:]
            columns.reserveCapacity(Int(count))
            for index in 0..<count {
                columns[String(cString: sqlite_nio_sqlite3_column_name(statement, index))] = data(at: index, in: statement)
            }
            return ReaderRow(columns: columns)
        }

        func close() {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements = [:]
            sqlite_nio_sqlite3_close(handle)
            handle = nil
        }

        private func prepared(_ sql: String) throws -> OpaquePointer {
            if let statement = statements[sql] { return statement }
            var statement: OpaquePointer?
            guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
                  let statement
            else { throw error() }
            statements[sql] = statement
            return statement
        }

        private func bind(_ value: SQLiteData, at index: Int32, in statement: OpaquePointer) throws {
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            let result: Int32
            switch value {
            case .integer(let value): result = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
            case .float(let value): result = sqlite_nio_sqlite3_bind_double(statement, index, value)
            case .text(let value):
                result = sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
            case .blob(let value):
                result = value.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
                }
            case .null: result = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard result == SQLITE_OK else { throw error() }
        }

        /// The same conversions SQLiteNIO makes, so rows decode exactly as they do through Fluent.
        private func data(at index: Int32, in statement: OpaquePointer) -> SQLiteData {
            switch sqlite_nio_sqlite3_column_type(statement, index) {
            case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, index))
            case SQLITE_TEXT:
                return sqlite_nio_sqlite3_column_text(statement, index).map { .text(String(cString: $0)) } ?? .text("")
            case SQLITE_BLOB:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
                var buffer = ByteBufferAllocator().buffer(capacity: length)
                if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
                }
                return .blob(buffer)
            default: return .null
            }
        }

        private func error() -> ReadError {
            ReadError(message: handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "connection closed")
        }
    }
}

/// A row read by `SQLiteReader`, decoded by SQLiteKit's own decoder.
private struct ReaderRow: SQLRow {
    var columns: [String: SQLiteData]

    var allColumns: [String] { Array(columns.keys) }

    func contains(column: String) -> Bool { columns[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let value = columns[column] else { throw MissingColumn(column: column) }
        return value == .null
    }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let value = columns[column] else { throw MissingColumn(column: column) }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }

    struct MissingColumn: Error { var column: String }
}
