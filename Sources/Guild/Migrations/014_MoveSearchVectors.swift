import Fluent
import SQLKit

/// PostgreSQL: the search vectors move from `profiles` to a narrow table of their own.
///
/// A common word matches about 12,000 of 100,000 members; finding, re-checking and ranking them read
/// every matching row, and profile rows carry bios and rendered HTML (about three to a page), so one
/// query touched some 10,000 pages (24 ms). Next to just an id and a search id, the vectors pack
/// tightly. SQLite keeps its FTS5 table, which already stands apart.
struct MoveSearchVectors: AsyncMigration {
    var name: String { "014_MoveSearchVectors" }

    func prepare(on database: any Database) async throws {
        guard !database.isSQLite else { return }
        try await database.sql.raw("""
            CREATE TABLE member_search_vectors (
                profile_id UUID PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
                search_id BIGINT NOT NULL,
                search_vector tsvector NOT NULL)
            """).run()
        try await database.sql.raw("""
            INSERT INTO member_search_vectors (profile_id, search_id, search_vector)
            SELECT id, search_id, search_vector FROM profiles WHERE search_vector IS NOT NULL
            """).run()
        try await database.sql.raw("CREATE INDEX member_search_vectors_match ON member_search_vectors USING GIN (search_vector)").run()
        try await database.sql.raw("DROP INDEX profiles_search").run()
        try await database.sql.raw("ALTER TABLE profiles DROP COLUMN search_vector").run()
    }

    func revert(on database: any Database) async throws {
        guard !database.isSQLite else { return }
        try await database.sql.raw("ALTER TABLE profiles ADD COLUMN search_vector tsvector").run()
        try await database.sql.raw("""
            UPDATE profiles SET search_vector = v.search_vector FROM member_search_vectors v WHERE v.profile_id = profiles.id
            """).run()
        try await database.sql.raw("CREATE INDEX profiles_search ON profiles USING GIN (search_vector)").run()
        try await database.sql.raw("DROP TABLE member_search_vectors").run()
    }
}
