import Fluent
import SQLKit

/// On PostgreSQL the directory generation moves at commit instead of at a transaction's first write
/// to a watched table. The bump locks `search_state`'s one row until commit, so with row triggers
/// every directory write waited for the whole of every other one: twenty concurrent profile saves
/// ran one after another, each holding its pool connection meanwhile (about 2 s apiece while the
/// test suite loads both cores; the queued saves outlasted the pool's 10 s wait). Deferred
/// constraint triggers take the lock at commit, so writers overlap until then. `writeTransaction`
/// fires them just before it reads the generation it reports (`SET CONSTRAINTS ALL IMMEDIATE`).
/// SQLite has one writer at a time anyway; its triggers stay as they are.
struct DeferGenerationBumps: AsyncMigration {
    var name: String { "022_DeferGenerationBumps" }

    /// Each watched table and the events that move the generation (016, plus 021's testimonials).
    static let watched: [(table: String, events: String)] =
        (DirectoryGenerationTriggers.tables + ["testimonials"]).map { ($0, "INSERT OR UPDATE OR DELETE") }
        + [("users", "UPDATE OF name OR DELETE")]

    func prepare(on database: any Database) async throws {
        try await recreate(deferred: true, on: database)
    }

    func revert(on database: any Database) async throws {
        try await recreate(deferred: false, on: database)
    }

    private func recreate(deferred: Bool, on database: any Database) async throws {
        guard !database.isSQLite else { return }
        for (table, events) in Self.watched {
            try await database.sql.raw("DROP TRIGGER directory_generation_\(unsafeRaw: table) ON \(unsafeRaw: table)").run()
            try await database.sql.raw("""
                CREATE \(unsafeRaw: deferred ? "CONSTRAINT " : "")TRIGGER directory_generation_\(unsafeRaw: table)
                AFTER \(unsafeRaw: events) ON \(unsafeRaw: table)
                \(unsafeRaw: deferred ? "DEFERRABLE INITIALLY DEFERRED " : "")FOR EACH ROW EXECUTE FUNCTION bump_directory_generation()
                """).run()
        }
    }
}
