import Fluent
import FluentPostgresDriver
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A generation of cached pages: a row of `search_state`, moved by a database trigger on every write
/// to a table that a cached page of its scope reads (migrations 016 and 026, and the rule in
/// `GenerationCache`), so a cached page tagged with it is current exactly while the number has not
/// moved. Three scopes, so that a comment does not throw away every cached directory page: the
/// directory (profiles, niches, search), knowledge (posts, comments, their search) and the ledger
/// (referrals, for the organizer report).
///
/// Read as cheaply as each database allows. SQLite: a synchronous read through `SQLiteReader`.
/// PostgreSQL: a read per request would cost as much as the profile read it guards, so a server
/// running `listen(to:)` learns every new generation from the trigger's `NOTIFY`, delivered when the
/// writer commits. This server's own writes take effect at once: `writeTransaction` reports the
/// generation it committed (`wrote`), and until that number is heard, reads go to the database.
/// Until the listener is connected, or after it lost its connection, every read goes to the database.
final class CacheGeneration: Sendable {
    /// Which row of `search_state` this is, and the channel its trigger notifies.
    enum Scope: Int, Sendable, CaseIterable {
        case directory = 1, knowledge = 2
        /// The referral ledger as the organizer report reads it (migration 043).
        case ledger = 3

        /// The trigger's NOTIFY channel, per schema (tests give every app a schema in one database).
        var channelSQL: String { "'guild_\(self)_' || current_schema()" }
        var sql: String { "SELECT generation FROM search_state WHERE id = \(rawValue)" }
    }

    private struct Heard {
        var generation: Int64?
        var channel: String?
    }

    let scope: Scope
    let reader: SQLiteReader?
    private let heard = NIOLockedValueBox(Heard())
    /// The newest generation this server's own transactions committed: heard generations below it are
    /// not trusted (their notification may still be on its way).
    private let written = NIOLockedValueBox<Int64>(0)

    init(_ scope: Scope = .directory, reader: SQLiteReader? = nil) {
        self.scope = scope
        self.reader = reader
    }

    /// The generation trackers of the app serving the current task (set for every request), which
    /// `writeTransaction` tells what it committed.
    @TaskLocal static var local: [CacheGeneration] = []

    private struct Row: Decodable { var generation: Int64 }

    /// The current generation, for tagging what is about to be read and checking what was cached.
    func current(on db: any Database) async throws -> Int64 {
        if let reader { return try reader.first(scope.sql, decoding: Row.self)?.generation ?? 0 }
        if let generation = heardGeneration() { return generation }
        return try await Self.read(scope, on: db)
    }

    /// From the database itself: prepared on PostgreSQL, where planning costs more than the read.
    static func read(_ scope: Scope = .directory, on db: any Database) async throws -> Int64 {
        if let postgres = db as? any PostgresDatabase {
            return try await postgres.first(PreparedGeneration(scope: scope), logger: db.logger) ?? 0
        }
        return try await db.sql.raw("\(unsafeRaw: scope.sql)").first(decoding: Row.self)?.generation ?? 0
    }

    /// Every scope's generation, read at once (what a write transaction reports before its commit).
    static func readAll(on db: any Database) async throws -> [Scope: Int64] {
        struct Row: Decodable { var id: Int; var generation: Int64 }
        let rows = try await db.sql.raw("SELECT id, generation FROM search_state").all(decoding: Row.self)
        return Dictionary(rows.compactMap { row in Scope(rawValue: row.id).map { ($0, row.generation) } }, uniquingKeysWith: max)
    }

    /// A transaction of this server committed with `generation` (the trigger's bump, if it wrote a
    /// watched table). A transaction rolled back after reporting only sends reads to the database
    /// until another write reaches its number: slower, never wrong.
    func wrote(_ generation: Int64) {
        written.withLockedValue { $0 = max($0, generation) }
    }

    private func heardGeneration() -> Int64? {
        let heard = self.heard.withLockedValue { $0 }
        guard let generation = heard.generation, heard.channel != nil else { return nil }
        return generation >= written.withLockedValue({ $0 }) ? generation : nil
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
                logger.warning("\(scope) notifications lost; reading the generation from the database until reconnected",
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
        for try await name in try await connection.query(PostgresQuery(unsafeSQL: "SELECT " + scope.channelSQL), logger: connection.logger)
            .decode(String.self) { channel = name }
        guard let channel else { return }
        try await connection.listen(on: channel) { notifications in
            // Listening first, then reading: nothing committed after the read can be missed.
            hear(try await read(on: connection), on: channel)
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
                        self.hear(try await self.read(on: connection), on: channel)
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private func read(on connection: PostgresConnection) async throws -> Int64 {
        var generation: Int64 = 0
        for try await value in try await connection.query(PostgresQuery(unsafeSQL: scope.sql), logger: connection.logger).decode(Int64.self) {
            generation = value
        }
        return generation
    }
}

/// Lets this request's write transactions report their generations to the app's `CacheGeneration`s.
struct CacheGenerationMiddleware: AsyncMiddleware {
    let generations: [CacheGeneration]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await CacheGeneration.$local.withValue(generations) { try await next.respond(to: request) }
    }
}

struct PreparedGeneration: PostgresPreparedStatement {
    typealias Row = Int64
    static let sql = "SELECT generation FROM search_state WHERE id = $1"
    var scope: CacheGeneration.Scope

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(Int32(scope.rawValue))
        return bindings
    }
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Runs `CacheGeneration.listen` for each of a serving PostgreSQL app's generations, until it shuts down.
struct GenerationNotifications: LifecycleHandler {
    let task: Task<Void, Never>

    @discardableResult
    static func start(_ app: Application, heartbeat: Duration = .seconds(5)) throws -> GenerationNotifications? {
        guard case .postgres(let url) = app.guildConfig.database else { return nil }
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema = app.guildConfig.postgresSchema { configuration.searchPath = [schema] }
        let generations = [app.directoryGeneration, app.knowledgeGeneration, app.organizerReports.generation], eventLoop = app.eventLoopGroup.next(), logger = app.logger
        let listened = configuration
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for generation in generations {
                    group.addTask { await generation.listen(to: listened, heartbeat: heartbeat, on: eventLoop, logger: logger) }
                }
            }
        }
        let notifications = GenerationNotifications(task: task)
        app.lifecycle.use(notifications)
        return notifications
    }

    func stop() async {
        task.cancel()
        await task.value
    }

    func shutdownAsync(_ application: Application) async { await stop() }
}
