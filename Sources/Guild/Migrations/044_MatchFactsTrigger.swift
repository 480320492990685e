import Fluent
import SQLKit

/// The match index's facts about a member (city, remote, availability, away until) follow the profile
/// row by trigger: a change to any of them gives the member's `match_profiles` row the next
/// `match_state.version`, so every server's `MatchIndex` reads it on its next refresh, whoever wrote
/// the row. Before, only callers that remembered `MatchSentences.refresh` after their commit did.
/// The pieces (niches, headline, bio sentences) still need Swift to cut them and stay with that call.
struct MatchFactsTrigger: AsyncMigration {
    var name: String { "044_MatchFactsTrigger" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        if database.isSQLite {
            try await sql.raw("""
                CREATE TRIGGER match_profile_facts AFTER UPDATE OF city_key, remote, availability, away_until ON profiles
                WHEN (OLD.city_key IS NOT NEW.city_key OR OLD.remote IS NOT NEW.remote OR OLD.availability IS NOT NEW.availability
                      OR OLD.away_until IS NOT NEW.away_until) AND EXISTS (SELECT 1 FROM match_profiles WHERE profile_id = NEW.id)
                BEGIN
                    UPDATE match_state SET value = value + 1 WHERE name = 'version';
                    UPDATE match_profiles SET version = (SELECT value FROM match_state WHERE name = 'version') WHERE profile_id = NEW.id;
                END
                """).run()
            return
        }
        try await sql.raw("""
            CREATE FUNCTION bump_match_profile_facts() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE next BIGINT;
            BEGIN
                IF EXISTS (SELECT 1 FROM match_profiles WHERE profile_id = NEW.id) THEN
                    UPDATE match_state SET value = value + 1 WHERE name = 'version' RETURNING value INTO next;
                    UPDATE match_profiles SET version = next WHERE profile_id = NEW.id;
                END IF;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE TRIGGER match_profile_facts AFTER UPDATE OF city_key, remote, availability, away_until ON profiles
            FOR EACH ROW WHEN (OLD.city_key IS DISTINCT FROM NEW.city_key OR OLD.remote IS DISTINCT FROM NEW.remote
                OR OLD.availability IS DISTINCT FROM NEW.availability OR OLD.away_until IS DISTINCT FROM NEW.away_until)
            EXECUTE FUNCTION bump_match_profile_facts()
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        if database.isSQLite {
            try await sql.raw("DROP TRIGGER match_profile_facts").run()
        } else {
            try await sql.raw("DROP TRIGGER match_profile_facts ON profiles").run()
            try await sql.raw("DROP FUNCTION bump_match_profile_facts()").run()
        }
    }
}
