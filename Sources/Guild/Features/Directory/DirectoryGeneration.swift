import Fluent
import FluentPostgresDriver
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The directory's generation: `search_state.generation`, bumped inside the transaction of every
/// write to the search index (profile edits, imports, merges, synonyms, deletions, demo data), so a
/// cached page or profile tagged with it is current exactly while the number has not moved.
///
/// Read as cheaply as each database allows. SQLite: a synchronous read through `SQLiteReader`.
/// PostgreSQL: a read per request would cost as much as the profile read it guards, so a server
/// running `listen(to:)` learns every new generation from `NOTIFY`, sent by the writer's transaction
/// and delivered when it commits. Writes made by this process (`bump`) take effect at once: until
/// their generation is heard, this process reads the number from the database. Until the listener
/// is connected, or after it lost its connection, every read goes to the database, as before.
final class DirectoryGeneration: Sendable {
    private struct Heard {
        var generation: Int64?
        var channel: String?
    }

    let reader: SQLiteReader?
    private let heard = NIOLockedValueBox(Heard())

    init(reader: SQLiteReader? = nil) {
        self.reader = reader
    }

    static let sql = "SELECT generation FROM search_state WHERE id = 1"
    private struct Row: Decodable { var generation: Int64 }

    /// The current generation, for tagging what is about to be read and checking what was cached.
    func current(on db: any Database) async throws -> Int64 {
        if let reader { return try reader.first(Self.sql, decoding: Row.self)?.generation ?? 0 }
        if let generation = heardGeneration() { return generation }
        return try await Self.read(on: db)
    }

    /// From the database itself: prepared on PostgreSQL, where planning costs more than the read.
    static func read(on db: any Database) async throws -> Int64 {
        if let postgres = db as? any PostgresDatabase {
            return try await postgres.first(PreparedGeneration(), logger: db.logger) ?? 0
        }
        return try await db.sql.raw("\(unsafeRaw: sql)").first(decoding: Row.self)?.generation ?? 0
    }

    /// Part of every search-index write's transaction: moves the generation on and, on PostgreSQL,
    /// tells every listening server once the transaction commits.
    static func bump(on db: any Database) async throws {
        guard !db.isSQLite else {
            try await db.sql.raw("UPDATE search_state SET generation = generation + 1 WHERE id = 1").run()
            return
        }
        struct Bumped: Decodable { var generation: Int64; var channel: String }
        let bumped = try await db.sql.raw("""
            WITH bumped AS (UPDATE search_state SET generation = generation + 1 WHERE id = 1 RETURNING generation)
            SELECT generation, \(unsafeRaw: channelSQL) AS channel, pg_notify(\(unsafeRaw: channelSQL), generation::text)::text AS sent
            FROM bumped
            """).first(decoding: Bumped.self)
        if let bumped { wrote(bumped.generation, on: bumped.channel) }
    }

    /// One channel per schema: tests give every app a schema of its own in one database.
    private static let channelSQL = "'guild_directory_' || current_schema()"

    // MARK: Writes of this process

    /// The newest generation this process wrote, per channel; heard generations below it are not
    /// trusted (the notification may still be on its way). A write rolled back leaves its number
    /// here: reads go to the database until another write reaches it, which only costs speed.
    private static let written = NIOLockedValueBox<[String: Int64]>([:])

    private static func wrote(_ generation: Int64, on channel: String) {
        written.withLockedValue { $0[channel] = max($0[channel] ?? 0, generation) }
    }

    private func heardGeneration() -> Int64? {
        let heard = self.heard.withLockedValue { $0 }
        guard let generation = heard.generation, let channel = heard.channel else { return nil }
        let floor = Self.written.withLockedValue { $0[channel] ?? 0 }
        return generation >= floor ? generation : nil
    }

    /// What the listener calls for each notification (nil: the connection is gone).
    func hear(_ generation: Int64?, on channel: String?) {
        heard.withLockedValue { heard in
            guard let generation, let channel else { heard = Heard(); return }
            heard.channel = channel
            heard.generation = max(heard.generation ?? generation, generation)
        }
    }

    /// True while notifications are trusted (tests wait for it).
    var isListening: Bool { heard.withLockedValue { $0.generation != nil } }

    // MARK: Listening (PostgreSQL)

    /// Listens until cancelled, reconnecting after a second when the connection drops; reads the
    /// generation itself every `heartbeat` too.
    func listen(
        to configuration: SQLPostgresConfiguration, heartbeat: Duration = .seconds(5), on eventLoop: any EventLoop, logger: Logger
    ) async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: eventLoop, configuration: configuration.coreConfiguration, id: 0, logger: logger)
                do {
                    try await listen(on: connection, searchPath: configuration.searchPath, heartbeat: heartbeat)
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch where !Task.isCancelled {
                logger.warning("directory notifications lost; reading the generation from the database until reconnected",
                               metadata: ["error": "\(String(reflecting: error))"])
            } catch {}
            hear(nil, on: nil)
            try? await Task.sleep(for: .seconds(1))
        }
        hear(nil, on: nil)
    }

    private func listen(on connection: PostgresConnection, searchPath: [String]?, heartbeat: Duration) async throws {
        if let searchPath, !searchPath.isEmpty {
            let quoted = searchPath.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            _ = try await connection.query(
                PostgresQuery(unsafeSQL: "SET search_path TO " + quoted.joined(separator: ", ")), logger: connection.logger)
        }
        var channel: String?
        for try await name in try await connection.query(PostgresQuery(unsafeSQL: "SELECT " + Self.channelSQL), logger: connection.logger)
            .decode(String.self) { channel = name }
        guard let channel else { return }
        try await connection.listen(on: channel) { notifications in
            // Listening first, then reading: nothing committed after the read can be missed.
            hear(try await Self.read(on: connection), on: channel)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await notification in notifications {
                        if let value = Int64(notification.payload) { self.hear(value, on: channel) }
                    }
                }
                // A heartbeat: a connection that died without a word fails here, and the reconnect
                // stops this server trusting what it last heard.
                group.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        self.hear(try await Self.read(on: connection), on: channel)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private static func read(on connection: PostgresConnection) async throws -> Int64 {
        var generation: Int64 = 0
        for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: connection.logger).decode(Int64.self) {
            generation = value
        }
        return generation
    }
}

struct PreparedGeneration: PostgresPreparedStatement {
    typealias Row = Int64
    static let sql = DirectoryGeneration.sql

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Runs `DirectoryGeneration.listen` for a serving PostgreSQL app, until it shuts down.
struct DirectoryNotifications: LifecycleHandler {
    let task: Task<Void, Never>

    @discardableResult
    static func start(_ app: Application, heartbeat: Duration = .seconds(5)) throws -> DirectoryNotifications? {
        guard case .postgres(let url) = app.guildConfig.database else { return nil }
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema = app.guildConfig.postgresSchema { configuration.searchPath = [schema] }
        let generation = app.directoryGeneration, eventLoop = app.eventLoopGroup.next(), logger = app.logger
        let task = Task { await generation.listen(to: configuration, heartbeat: heartbeat, on: eventLoop, logger: logger) }
        let notifications = DirectoryNotifications(task: task)
        app.lifecycle.use(notifications)
        return notifications
    }

    func stop() async {
        task.cancel()
        await task.value
    }

    func shutdownAsync(_ application: Application) async { await stop() }
}
