import Fluent
import SQLKit

/// Every write to a table that a cached page reads moves the directory generation, in the database
/// itself: a trigger per table, so no write path can forget (see `GenerationCache`). On PostgreSQL
/// the same trigger announces the new generation with NOTIFY, delivered when the writer commits.
///
/// Row triggers, so a statement that changes nothing (an upsert that found its row) moves nothing.
/// SQLite bumps once per row, a few microseconds each; PostgreSQL once per transaction (a
/// transaction-local setting remembers it did), so bulk writes do not rewrite the one hot row
/// thousands of times. `users` counts only for its name, which profiles show.
struct DirectoryGenerationTriggers: AsyncMigration {
    var name: String { "016_DirectoryGenerationTriggers" }

    static let tables = ["profiles", "profile_niches", "profile_partner_niches", "niches", "niche_aliases", "niche_categories"]

    func prepare(on database: any Database) async throws {
        if database.isSQLite {
            let bump = "UPDATE search_state SET generation = generation + 1 WHERE id = 1;"
            for table in Self.tables {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    try await database.sql.raw("""
                        CREATE TRIGGER directory_generation_\(unsafeRaw: table)_\(unsafeRaw: event.lowercased())
                        AFTER \(unsafeRaw: event) ON \(unsafeRaw: table) BEGIN \(unsafeRaw: bump) END
                        """).run()
                }
            }
            try await database.sql.raw("""
                CREATE TRIGGER directory_generation_users_update AFTER UPDATE OF name ON users BEGIN \(unsafeRaw: bump) END
                """).run()
            try await database.sql.raw("""
                CREATE TRIGGER directory_generation_users_delete AFTER DELETE ON users BEGIN \(unsafeRaw: bump) END
                """).run()
            return
        }
        try await database.sql.raw("""
            CREATE FUNCTION bump_directory_generation() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE bumped BIGINT;
            BEGIN
                IF current_setting('guild.directory_bumped', true) IS DISTINCT FROM txid_current()::text THEN
                    UPDATE search_state SET generation = generation + 1 WHERE id = 1 RETURNING generation INTO bumped;
                    PERFORM pg_notify('guild_directory_' || current_schema(), bumped::text);
                    PERFORM set_config('guild.directory_bumped', txid_current()::text, true);
                END IF;
                RETURN NULL;
            END $$
            """).run()
        for table in Self.tables {
            try await database.sql.raw("""
                CREATE TRIGGER directory_generation_\(unsafeRaw: table) AFTER INSERT OR UPDATE OR DELETE
                ON \(unsafeRaw: table) FOR EACH ROW EXECUTE FUNCTION bump_directory_generation()
                """).run()
        }
        try await database.sql.raw("""
            CREATE TRIGGER directory_generation_users AFTER UPDATE OF name OR DELETE ON users
            FOR EACH ROW EXECUTE FUNCTION bump_directory_generation()
            """).run()
    }

    func revert(on database: any Database) async throws {
        if database.isSQLite {
            for table in Self.tables {
                for event in ["insert", "update", "delete"] {
                    try await database.sql.raw("DROP TRIGGER directory_generation_\(unsafeRaw: table)_\(unsafeRaw: event)").run()
                }
            }
            try await database.sql.raw("DROP TRIGGER directory_generation_users_update").run()
            try await database.sql.raw("DROP TRIGGER directory_generation_users_delete").run()
            return
        }
        for table in Self.tables + ["users"] {
            try await database.sql.raw("DROP TRIGGER directory_generation_\(unsafeRaw: table) ON \(unsafeRaw: table)").run()
        }
        try await database.sql.raw("DROP FUNCTION bump_directory_generation()").run()
    }
}
