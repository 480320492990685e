import Fluent
import SQLKit

/// The full-text index: an FTS5 table on SQLite, a weighted tsvector with a GIN index on PostgreSQL.
struct CreateMemberSearchIndex: AsyncMigration {
    var name: String { "008_CreateMemberSearchIndex" }

    func prepare(on database: any Database) async throws {
        if database.isSQLite {
            try await database.sql.raw("""
                CREATE VIRTUAL TABLE member_search USING fts5(
                    name, business, headline, bio, niches,
                    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')
                """).run()
            try await database.sql.raw("CREATE VIRTUAL TABLE member_search_terms USING fts5vocab(member_search, 'row')").run()
        } else {
            try await database.sql.raw("ALTER TABLE profiles ADD COLUMN search_vector tsvector").run()
            try await database.sql.raw("CREATE INDEX profiles_search ON profiles USING GIN (search_vector)").run()
        }
    }

    func revert(on database: any Database) async throws {
        if database.isSQLite {
            try await database.sql.raw("DROP TABLE member_search_terms").run()
            try await database.sql.raw("DROP TABLE member_search").run()
        } else {
            try await database.sql.raw("DROP INDEX profiles_search").run()
            try await database.sql.raw("ALTER TABLE profiles DROP COLUMN search_vector").run()
        }
    }
}
