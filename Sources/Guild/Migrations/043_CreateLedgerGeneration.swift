import Fluent
import SQLKit

/// The organizer report's cache generation (`search_state` row 3), moved by trigger on every write to
/// what the report reads: the referrals, and the names, profile slugs and lead niches it shows them by.
/// Replaces "the newest `referrals.updated_at`, and ten minutes at most", which a deleted referral, a
/// renamed member or a renamed niche did not move. On PostgreSQL one bump per transaction, at commit,
/// with a NOTIFY (as 026 does for knowledge); on SQLite a row trigger.
struct CreateLedgerGeneration: AsyncMigration {
    var name: String { "043_CreateLedgerGeneration" }

    /// Each watched table with the events that move the generation.
    static let watched: [(table: String, events: [String])] = [
        ("referrals", ["INSERT", "UPDATE", "DELETE"]),
        ("users", ["INSERT", "UPDATE OF name", "DELETE"]),
        ("profiles", ["INSERT", "UPDATE OF slug, user_id", "DELETE"]),
        ("profile_niches", ["INSERT", "UPDATE", "DELETE"]),
        ("niches", ["UPDATE OF name", "DELETE"]),
    ]

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("INSERT INTO search_state (id, generation) VALUES (3, 1)").run()
        if database.isSQLite {
            for (table, events) in Self.watched {
                for event in events {
                    let verb = event.split(separator: " ")[0].lowercased()
                    try await sql.raw("""
                        CREATE TRIGGER ledger_generation_\(unsafeRaw: table)_\(unsafeRaw: verb) AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
                        BEGIN UPDATE search_state SET generation = generation + 1 WHERE id = 3; END
                        """).run()
                }
            }
            return
        }
        try await sql.raw("""
            CREATE FUNCTION bump_ledger_generation() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE bumped BIGINT;
            BEGIN
                IF current_setting('guild.ledger_bumped', true) IS DISTINCT FROM txid_current()::text THEN
                    UPDATE search_state SET generation = generation + 1 WHERE id = 3 RETURNING generation INTO bumped;
                    PERFORM pg_notify('guild_ledger_' || current_schema(), bumped::text);
                    PERFORM set_config('guild.ledger_bumped', txid_current()::text, true);
                END IF;
                RETURN NULL;
            END $$
            """).run()
        for (table, events) in Self.watched {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER ledger_generation_\(unsafeRaw: table)
                AFTER \(unsafeRaw: events.joined(separator: " OR ")) ON \(unsafeRaw: table)
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_ledger_generation()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        for (table, events) in Self.watched {
            if database.isSQLite {
                for event in events {
                    let verb = event.split(separator: " ")[0].lowercased()
                    try await sql.raw("DROP TRIGGER ledger_generation_\(unsafeRaw: table)_\(unsafeRaw: verb)").run()
                }
            } else {
                try await sql.raw("DROP TRIGGER ledger_generation_\(unsafeRaw: table) ON \(unsafeRaw: table)").run()
            }
        }
        if !database.isSQLite { try await sql.raw("DROP FUNCTION bump_ledger_generation()").run() }
        try await sql.raw("DELETE FROM search_state WHERE id = 3").run()
    }
}
