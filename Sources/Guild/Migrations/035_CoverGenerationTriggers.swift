import Fluent
import SQLKit

/// Cache rule: a profile shows "Away — covered by …" and "Covered for N members", so writes to cover
/// activations, backups and thanks move the directory generation, as 016/022 do for profiles
/// (deferred constraint triggers on PostgreSQL, row triggers on SQLite).
struct CoverGenerationTriggers: AsyncMigration {
    var name: String { "035_CoverGenerationTriggers" }

    static let watched = ["cover_activations", "cover_backups", "cover_thanks"]

    func prepare(on database: any Database) async throws {
        for table in Self.watched {
            if database.isSQLite {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await database.sql.raw("""
                        CREATE TRIGGER directory_generation_\(unsafeRaw: table)_\(unsafeRaw: event.lowercased())
                        AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
                        BEGIN UPDATE search_state SET generation = generation + 1 WHERE id = 1; END
                        """).run()
                }
            } else {
                try await database.sql.raw("""
                    CREATE CONSTRAINT TRIGGER directory_generation_\(unsafeRaw: table)
                    AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table)
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_directory_generation()
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for table in Self.watched {
            if database.isSQLite {
                for event in ["insert", "update", "delete"] {
                    try await database.sql.raw("DROP TRIGGER IF EXISTS directory_generation_\(unsafeRaw: table)_\(unsafeRaw: event)").run()
                }
            } else {
                try await database.sql.raw("DROP TRIGGER IF EXISTS directory_generation_\(unsafeRaw: table) ON \(unsafeRaw: table)").run()
            }
        }
    }
}
