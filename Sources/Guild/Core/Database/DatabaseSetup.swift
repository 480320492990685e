import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    /// Registers the database named by the configuration as the default one.
    static func use(_ config: AppConfig, on app: Application) throws {
        switch config.database {
        case .sqlite(let path):
            SQLiteSearchRank.install()
            app.databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(Int64(config.databasePoolWait)), sqlLogLevel: .trace),
                              as: .sqlite)
            guard config.sqliteReader else { break }
            let reader = SQLiteReader(path: path)
            app.sqliteReader = reader
            app.lifecycle.use(SQLiteReaderShutdown(reader: reader))
        case .postgres(let url):
            var postgres = try SQLPostgresConfiguration(url: url)
            if let schema = config.postgresSchema { postgres.searchPath = [schema] }
            // Deadlines everywhere, so a database that stops answering ends in a 503, not a hung request.
            postgres.coreConfiguration.options.connectTimeout = .seconds(5)
            postgres.coreConfiguration.options.additionalStartupParameters.append(("statement_timeout", "60s"))
            // The planner's default page cost assumes spinning disks, and with it a search for a common
            // word ("service:*", a fifth of all members) scanned every row's vector (60 ms at 100k)
            // instead of reading the GIN index (12 ms). 1.1 is the usual value for SSDs and a warm cache.
            postgres.coreConfiguration.options.additionalStartupParameters.append(("random_page_cost", "1.1"))
            // Four connections per event loop: PostgreSQL serves them in parallel (SQLite serialises writers anyway).
            app.databases.use(
                .postgres(configuration: postgres, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(Int64(config.databasePoolWait)),
                          sqlLogLevel: .trace), as: .psql)
        }
    }

    /// The SQLite driver only turns on foreign keys. Each event loop owns exactly one connection,
    /// so visiting every loop once sets WAL, synchronous and busy_timeout on every connection.
    static func prepareSQLiteConnections(on app: Application) async throws {
        guard case .sqlite = app.guildConfig.database else { return }
        for loop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(logger: app.logger, on: loop)! as! any SQLDatabase
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = NORMAL").run()
            try await db.raw("PRAGMA busy_timeout = 10000").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            // 32 MB of page cache per connection (the default is 2 MB): search reads many index pages.
            try await db.raw("PRAGMA cache_size = -32768").run()
        }
    }
}

private struct SQLiteReaderShutdown: LifecycleHandler {
    let reader: SQLiteReader
    func shutdown(_ application: Application) { reader.shutdown() }
}

extension Database {
    var sql: any SQLDatabase { self as! any SQLDatabase }

    var isSQLite: Bool { sql.dialect.name == "sqlite" }

    /// Inside a `writeTransaction`: waits until no other transaction holds `key`, until commit. SQLite
    /// needs nothing (its write lock already serialises writers); PostgreSQL takes an advisory lock,
    /// for check-then-write steps an upsert cannot express (a count against a limit, a free slug).
    /// Advisory locks belong to the whole database, so the key names the schema too: Guilds in two
    /// schemas of one database (each test has its own) must not wait on each other's "slug:gina-giver".
    func lock(_ key: String) async throws {
        guard !isSQLite else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || \(bind: key), 0))").run()
    }

    /// A transaction that reads and then writes. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that upgrades from read to write fails at once
    /// with "database is locked" when another connection wrote in between, and busy_timeout cannot help.
    /// `reportingGeneration: false` for transactions that write no table a cached page reads
    /// (throttle counts): it saves reading the directory generation before the commit. A debug build
    /// checks that promise on SQLite on every such transaction (`GenerationNotReported`), so the whole
    /// test suite tests every call site that passes `false`: one that moved a generation fails.
    func writeTransaction<T: Sendable>(
        reportingGeneration: Bool = true, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard isSQLite else {
            // Reads after this commit on this server must see it, before its NOTIFY arrives: tell the
            // server's CacheGenerations the generations this transaction committed.
            let generations = CacheGeneration.local
            #if DEBUG
            if !reportingGeneration {
                return try await postgresTransaction { db in
                    let result = try await body(db)
                    try await GenerationNotReported.check(on: db)
                    return result
                }
            }
            #endif
            guard reportingGeneration, !generations.isEmpty else { return try await postgresTransaction(body) }
            let (result, committed) = try await postgresTransaction { db in
                let result = try await body(db)
                // The generation triggers are deferred to commit (migrations 022 and 026); fire them
                // now to learn the numbers this commit will carry.
                try await db.sql.raw("SET CONSTRAINTS ALL IMMEDIATE").run()
                return (result, try await CacheGeneration.readAll(on: db))
            }
            for generation in generations { committed[generation.scope].map(generation.wrote) }
            return result
        }
        return try await withConnection { connection in
            try await connection.sql.raw("BEGIN IMMEDIATE").run()
            do {
                #if DEBUG
                let before = reportingGeneration ? nil : try await CacheGeneration.readAll(on: connection)
                #endif
                let result = try await body(connection)
                #if DEBUG
                if let before, case let after = try await CacheGeneration.readAll(on: connection), after != before {
                    throw GenerationNotReported(moved: after.keys.filter { after[$0] != before[$0] }.map { "\($0)" }.sorted())
                }
                #endif
                try await connection.sql.raw("COMMIT").run()
                return result
            } catch {
                try? await connection.sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

/// A transaction that said it writes no table a cached page reads (`reportingGeneration: false`)
/// moved a cache generation: on PostgreSQL this server would serve its own caches stale until the
/// NOTIFY arrives. Thrown by debug builds only, so tests fail on the call site.
struct GenerationNotReported: Error, CustomStringConvertible {
    /// PostgreSQL: fires the deferred generation triggers now and asks which of them bumped in this
    /// transaction (each marks `guild.<scope>_bumped` with the transaction id), so a concurrent
    /// commit elsewhere cannot be mistaken for this transaction's.
    static func check(on db: any Database) async throws {
        try await db.sql.raw("SET CONSTRAINTS ALL IMMEDIATE").run()
        struct Row: Decodable { var scope: String }
        let scopes = CacheGeneration.Scope.allCases.map { SQLQueryString("(\(bind: "\($0)"))") }
        let moved = try await db.sql.raw("""
            SELECT s AS scope FROM (VALUES \(scopes.joined(separator: ", "))) AS v(s)
            WHERE current_setting('guild.' || s || '_bumped', true) = txid_current()::text
            """).all(decoding: Row.self).map(\.scope)
        if !moved.isEmpty { throw GenerationNotReported(moved: moved.sorted()) }
    }

    var moved: [String]
    var description: String {
        "a writeTransaction(reportingGeneration: false) moved the \(moved.joined(separator: " and ")) generation; report it (drop the argument)"
    }
}
