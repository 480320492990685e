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

    @Test("a word nobody uses is read as the niche word it was meant to be before any-word: swapped letters are one typo")
    func typoBeforeAnyWord() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Hana Helper", niches: ["Senior care"], on: app)  // a synonym: home care
            try await Profile.make(name: "Carl Careful", niches: ["bookkeeping"], bio: "Careful with your books, as I care.", on: app)
            let results = try await DirectorySearch.search(DirectoryQuery(q: "hmoe care"), on: app.db)
            #expect(results.items.map(\.name) == ["Hana Helper"])
            #expect(results.correctedTo == "home care")
            // Words that are all real but never meet still fall back to any of them.
            let apart = try await DirectorySearch.search(DirectoryQuery(q: "bookkeeping senior"), on: app.db)
            #expect(Set(apart.items.map(\.name)) == ["Hana Helper", "Carl Careful"])
            #expect(apart.correctedTo == nil)
        }
    }

    /// `guild_rank` is FTS5's bm25 without the length term: with every document the same length
    /// (D = avgdl) the two agree to the last digit, and with different lengths only bm25 moves.
    @Test("guild_rank is bm25 with b = 0: equal when every document is as long as the average; guild_rank_rows counts",
          .enabled(if: TestDatabase.isSQLite, "an FTS5 function: SQLite only"))
    func rankIsBM25WithoutLength() async throws {
        try await withGuild { app, _ in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE VIRTUAL TABLE rank_check USING fts5(title, body)").run()
            try await sql.raw("""
                INSERT INTO rank_check (rowid, title, body) VALUES
                (1, 'garden design', 'lawns and beds'), (2, 'roof repair', 'garden walls too'),
                (3, 'tax returns', 'for small firms'), (4, 'dog walking', 'garden garden garden'),
                (5, 'lawns cut', 'weekly in summer'), (6, 'bike repair', 'and spare parts')
                """).run()
            struct Row: Decodable { var id: Int; var ours: Double; var theirs: Double }
            func scores(_ match: String) async throws -> [Row] {
                try await sql.raw("""
                    SELECT rowid AS id, guild_rank(rank_check, 10.0, 1.0) AS ours, bm25(rank_check, 10.0, 1.0) AS theirs
                    FROM rank_check WHERE rank_check MATCH \(bind: match) ORDER BY rowid
                    """).all(decoding: Row.self)
            }
            // Two phrases: bm25's idf. N = 6; garden in 3 rows, lawns in 2.
            let two = try await scores("garden OR lawns")
            #expect(two.map(\.id) == [1, 2, 4, 5])
            for row in two { #expect(abs(row.ours - row.theirs) < 1e-12, "row \(row.id)") }
            let k1 = 1.2, floor = 1e-6, lawns = log((6 - 2 + 0.5) / (2 + 0.5))
            let term = { (f: Double) in f * (k1 + 1) / (f + k1) }
            let byHand = [-(floor * term(10) + lawns * term(1)), -floor * term(1), -floor * term(3), -lawns * term(10)]
            for (row, value) in zip(two, byHand) { #expect(abs(row.ours - value) < 1e-15, "row \(row.id)") }
            // One phrase: the idf is a common factor, left out; the order is bm25's.
            let one = try await scores("repair")
            #expect(one.map(\.ours) == [-term(10), -term(10)])
            #expect(one.sorted { ($0.ours, $0.id) < ($1.ours, $1.id) }.map(\.id) == one.sorted { ($0.theirs, $0.id) < ($1.theirs, $1.id) }.map(\.id))

            // A longer document: bm25 lowers it, guild_rank does not.
            try await sql.raw("UPDATE rank_check SET body = 'lawns and beds and hedges and ponds and paths' WHERE rowid = 1").run()
            let after = try await scores("garden OR lawns")
            #expect(abs(after[0].ours - byHand[0]) < 1e-15)
            #expect(after[0].theirs > two[0].theirs)  // bm25 marks the now longer row 1 down (a less negative score)

            // guild_rank_rows: every match scored, read above the limited subquery.
            struct Counted: Decodable { var id: Int; var total: Int }
            let page = try await sql.raw("""
                SELECT hits.id, guild_rank_rows() AS total FROM (
                    SELECT rowid AS id, guild_rank(rank_check, 10.0, 1.0) AS score FROM rank_check
                    WHERE rank_check MATCH 'garden OR lawns OR repair' ORDER BY score, rowid LIMIT 2) hits
                """).all(decoding: Counted.self)
            #expect(page.count == 2)
            #expect(page.allSatisfy { $0.total == 5 })  // rows 1, 2, 4, 5, 6
        }
    }

    @Test("the page's total is every match, on every page and past the last")
    func totals() async throws {
        try await withGuild { app, _ in
            for index in 0..<23 { try await Profile.make(name: "Gardener \(index)", niches: ["landscaping"], on: app) }
            for page in 1...3 {
                let results = try await DirectorySearch.search(DirectoryQuery(q: "landscaping", page: page, perPage: 10), on: app.db)
                #expect(results.total == 23, "page \(page)")
                #expect(results.items.count == [10, 10, 3][page - 1])
            }
            let past = try await DirectorySearch.search(DirectoryQuery(q: "landscaping", page: 4, perPage: 10), on: app.db)
            #expect(past.total == 23 && past.items.isEmpty)
        }
    }
}
