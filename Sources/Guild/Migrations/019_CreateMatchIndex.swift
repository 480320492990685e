import Fluent
import SQLKit

/// Semantic matching's tables. `match_texts` holds each distinct piece of text once (members share
/// niche names, and demo sentences repeat) with its vector once embedded, as float32 little-endian
/// bytes. `match_sentences` says which pieces make up each member. `match_state.version` counts
/// changes: every write that a server's in-memory index must see takes the next number (the row's
/// lock orders them, so numbers become visible in order), and servers read what is newer than theirs.
/// `profile_niches.label` keeps a member's own words for a niche when they differ from its name
/// ("Matterport tours" under real estate photography): matching reads them.
struct CreateMatchIndex: AsyncMigration {
    var name: String { "019_CreateMatchIndex" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        if database.isSQLite {
            try await sql.raw("""
                CREATE TABLE match_texts (id INTEGER PRIMARY KEY, text_hash TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
                    vector BLOB, version BIGINT NOT NULL DEFAULT 0, claimed_until DOUBLE PRECISION)
                """).run()
        } else {
            try await sql.raw("""
                CREATE TABLE match_texts (id BIGSERIAL PRIMARY KEY, text_hash TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
                    vector BYTEA, version BIGINT NOT NULL DEFAULT 0, claimed_until TIMESTAMPTZ)
                """).run()
        }
        try await sql.raw("CREATE INDEX match_texts_waiting ON match_texts (id) WHERE vector IS NULL").run()
        try await sql.raw("CREATE INDEX match_texts_version ON match_texts (version)").run()
        try await sql.raw("""
            CREATE TABLE match_sentences (
                profile_id UUID NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
                position INTEGER NOT NULL, kind TEXT NOT NULL, text_id BIGINT NOT NULL REFERENCES match_texts (id),
                PRIMARY KEY (profile_id, position))
            """).run()
        try await sql.raw("""
            CREATE TABLE match_profiles (
                profile_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE, version BIGINT NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX match_profiles_version ON match_profiles (version)").run()
        try await sql.raw("ALTER TABLE profile_niches ADD COLUMN label TEXT").run()
        try await sql.raw("CREATE TABLE match_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL)").run()
        try await sql.raw("INSERT INTO match_state (name, value) VALUES ('version', 0)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["match_state", "match_profiles", "match_sentences", "match_texts"] {
            try await database.sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
        }
        try await database.sql.raw("ALTER TABLE profile_niches DROP COLUMN label").run()
    }
}
