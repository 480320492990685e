import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Search ranking")
struct SearchRankingTests {
    @Test("only the last word is a prefix, and only from four letters")
    func lastWordIsThePrefix() {
        #expect(DirectorySearch.ftsExpression(.all(["small", "business", "lawyer"])) == #""small" AND "business" AND "lawyer"*"#)
        #expect(DirectorySearch.ftsExpression(.any(["photos", "dog"])) == #""photos" OR "dog""#)
        #expect(DirectorySearch.tsQuery(.all(["small", "business", "lawyer"])) == "small & business & lawyer:*")
        #expect(DirectorySearch.tsQuery(.any(["photog"])) == "photog:*")
    }

    @Test("a word still being typed finds members; a whole word before it does not stand for longer ones")
    func typingAhead() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Pat Lens", niches: ["real estate photography"], on: app)
            try await Profile.make(name: "Sam Party", niches: ["event planning"], bio: "Birthday parties and partnerships.", on: app)
            try await Profile.make(name: "Lee Plan", niches: ["event planning"], bio: "Part of a small team.", on: app)
            #expect(try await search("real estate photog", on: app) == ["Pat Lens"])
            // "part" is a whole word here: it no longer stands for "parties" or "partnerships".
            #expect(try await search("part planning", on: app) == ["Lee Plan"])
            // Alone it is the last word, still being typed: a prefix again.
            #expect(Set(try await search("part", on: app)) == ["Sam Party", "Lee Plan"])
        }
    }

    /// `guild_rank` is FTS5's bm25 without the length term: with every document the same length
    /// (D = avgdl) the two agree to the last digit, and with different lengths only bm25 moves.
    @Test("guild_rank is bm25 with b = 0: equal when every document is as long as the average",
          .enabled(if: TestDatabase.isSQLite, "an FTS5 function: SQLite only"))
    func rankIsBM25WithoutLength() async throws {
        try await withGuild { app, _ in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE VIRTUAL TABLE rank_check USING fts5(title, body)").run()
            try await sql.raw("""
                INSERT INTO rank_check (rowid, title, body) VALUES
                (1, 'garden design', 'lawns and beds'), (2, 'roof repair', 'garden walls too'),
                (3, 'tax returns', 'for small firms'), (4, 'dog walking', 'garden garden garden')
                """).run()
            struct Row: Decodable { var id: Int; var ours: Double; var theirs: Double }
            let rows = try await sql.raw("""
                SELECT rowid AS id, guild_rank(rank_check, 10.0, 1.0) AS ours, bm25(rank_check, 10.0, 1.0) AS theirs
                FROM rank_check WHERE rank_check MATCH 'garden' ORDER BY rowid
                """).all(decoding: Row.self)
            #expect(rows.map(\.id) == [1, 2, 4])
            for row in rows { #expect(abs(row.ours - row.theirs) < 1e-12, "row \(row.id)") }
            // By hand: N = 4, n = 3, idf = ln(1.5 / 3.5) < 0, so FTS5's floor 1e-6; f = 10 (title) or 1, 3 (body).
            let idf = 1e-6, k1 = 1.2
            let expected = [10.0, 1.0, 3.0].map { f in -idf * f * (k1 + 1) / (f + k1) }
            for (row, value) in zip(rows, expected) { #expect(abs(row.ours - value) < 1e-18, "row \(row.id)") }

            // A longer document: bm25 lowers it, guild_rank does not.
            try await sql.raw("INSERT INTO rank_check (rowid, title, body) VALUES (5, 'plumbing', 'pipes taps boilers radiators drains')").run()
            try await sql.raw("UPDATE rank_check SET body = 'lawns and beds and hedges and ponds and paths' WHERE rowid = 1").run()
            let after = try await sql.raw("""
                SELECT rowid AS id, guild_rank(rank_check, 10.0, 1.0) AS ours, bm25(rank_check, 10.0, 1.0) AS theirs
                FROM rank_check WHERE rank_check MATCH 'garden' ORDER BY rowid
                """).all(decoding: Row.self)
            let idf5 = log((5.0 - 3 + 0.5) / (3 + 0.5)) > 0 ? log((5.0 - 3 + 0.5) / (3 + 0.5)) : 1e-6
            #expect(abs(after[0].ours - -idf5 * 10 * 2.2 / 11.2) < 1e-18)
            #expect(after[0].theirs > after[0].ours)  // bm25 marks the now longer row 1 down (a less negative score)
        }
    }
}
