import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// Which database the tests run on; database-specific tests are `.enabled(if:)` by it, so the
/// other run shows them as skipped instead of passing them silently.
enum TestDatabase {
    static let isPostgres = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].map { !$0.isEmpty } ?? false
    static let isSQLite = !isPostgres
}

/// How many test applications may be alive at once. Swift Testing starts every test at the same
/// moment; on two cores, 250 apps each migrating its own database starve one another until single
/// requests take minutes (a PostgreSQL run saw 503s from the request deadline and throttle windows
/// refilled mid-test). A few at a time finish sooner and keep each test's requests close together.
/// `GUILD_TEST_WIDTH` overrides it.
actor TestSlots {
    static let shared = TestSlots(
        width: ProcessInfo.processInfo.environment["GUILD_TEST_WIDTH"].flatMap(Int.init).map { max(1, $0) } ?? 6)

    private let width: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func acquire() async {
        if inUse < width {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot straight to the next waiter, so a late arrival cannot jump the queue.
    func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Runs `body` against a fresh application and database: a temporary SQLite file by default,
/// a private PostgreSQL schema when `TEST_DATABASE_URL` is set. At most `TestSlots.shared`'s width
/// of these run at once.
func withGuild(
    configure adjust: (inout AppConfig) -> Void = { _ in },
    _ body: (Application, RecordingMailTransport) async throws -> Void
) async throws {
    await TestSlots.shared.acquire()
    do {
        try await withFreshGuild(configure: adjust, body)
    } catch {
        await TestSlots.shared.release()
        throw error
    }
    await TestSlots.shared.release()
}

private func withFreshGuild(
    configure adjust: (inout AppConfig) -> Void,
    _ body: (Application, RecordingMailTransport) async throws -> Void
) async throws {
    let app = try await Application.make(.testing)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("guild-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    var config = AppConfig.development
    config.bcryptCost = 4
    config.mailDirectory = scratch.appendingPathComponent("mail").path
    var schema: String?
    if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
        schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        config.database = .postgres(url: url)
        config.postgresSchema = schema
    } else {
        config.database = .sqlite(path: scratch.appendingPathComponent("guild.sqlite").path)
    }
    // Dozens of apps share two cores (and one PostgreSQL) while the suite runs: a 10 s wait for a
    // pooled connection is a timing threshold a loaded machine can miss. Correctness is what is tested.
    config.databasePoolWait = 60
    // The same for the request deadline (30 s when serving); the tests of the deadline set their own.
    config.requestTimeout = 300
    // Runbooks are sealed with a key of the test's own; never the developer's `.guild/runbook.key`.
    config.runbookKeys = testRunbookKeys
    config.runbookKeyFile = nil
    adjust(&config)
    let mail = RecordingMailTransport()
    do {
        try await configure(app, config: config)
        app.mailTransport = mail
        if let schema { try await app.db.sql.raw("CREATE SCHEMA \(ident: schema)").run() }
        try await app.autoMigrate()
        try await body(app, mail)
    } catch {
        await tearDown(app, schema: schema, scratch: scratch)
        throw error
    }
    await tearDown(app, schema: schema, scratch: scratch)
}

/// A second `guild serve` on the first one's database (the same SQLite file or PostgreSQL schema),
/// with its own mail transport: for work that must happen once across instances.
func withSecondInstance(of app: Application, _ body: (Application, RecordingMailTransport) async throws -> Void) async throws {
    let second = try await Application.make(.testing)
    let mail = RecordingMailTransport()
    do {
        try await configure(second, config: app.guildConfig)
        second.mailTransport = mail
        try await body(second, mail)
    } catch {
        try? await second.asyncShutdown()
        throw error
    }
    try await second.asyncShutdown()
}

private func tearDown(_ app: Application, schema: String?, scratch: URL) async {
    if let schema { try? await app.db.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
    try? await app.asyncShutdown()
    try? FileManager.default.removeItem(at: scratch)
}

extension User {
    /// A member with a known password (`correct horse battery`).
    static func make(
        name: String = "Test Member", email: String? = nil, role: Role = .member, on app: Application
    ) async throws -> User {
        let user = User(
            name: name, email: email ?? "member-\(UUID().uuidString.prefix(8).lowercased())@example.com",
            passwordHash: try await app.password.async.hash(testPassword), role: role)
        try await user.create(on: app.db)
        return user
    }
}

let testPassword = "correct horse battery"

extension Application {
    func count(_ table: String) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Row.self)?.n ?? -1
    }
}

/// The runbook key every test app uses (tests of keys set their own).
let testRunbookKeys = RunbookKeys(current: Data((0..<32).map { UInt8(($0 * 37 + 11) % 256) }), old: [])
