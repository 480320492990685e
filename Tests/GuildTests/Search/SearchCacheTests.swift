import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Search order and cache")
struct SearchCacheTests {
    @Test("a niche lists experts first, then experienced, then learning, by name within a level")
    func expertsFirst() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Ann Learner", niches: ["local seo"], level: .learning, on: app)
            try await Profile.make(name: "Bob Expert", niches: ["local seo"], level: .expert, on: app)
            try await Profile.make(name: "Cat Middle", niches: ["local seo"], city: "Leeds, UK", level: .experienced, on: app)
            try await Profile.make(name: "Abe Expert", niches: ["local seo"], city: "Leeds, UK", level: .expert, on: app)
            try await Profile.make(name: "Aaron Other", niches: ["bookkeeping"], on: app)
            let expected = ["Abe Expert", "Bob Expert", "Cat Middle", "Ann Learner"]
            #expect(try await search("", niche: "local-seo", on: app) == expected)
            #expect(try await search("", niche: "local-seo", city: "leeds", on: app) == ["Abe Expert", "Cat Middle"])
            let page = try #require(try await NicheDetail.query(slug: "local-seo", page: 1, on: app.db))
            #expect(page.members.map(\.name) == expected)
            #expect(page.total == 4)
            let second = try #require(try await NicheDetail.query(slug: "local-seo", page: 2, perPage: 3, on: app.db))
            #expect(second.members.map(\.name) == ["Ann Learner"])
            #expect(second.total == 4)
        }
    }

    @Test("a cached result lasts only until the directory changes, whoever changed it")
    func invalidation() async throws {
        try await withGuild { app, _ in
            let cache = SearchCache(capacity: 10, generation: app.directoryGeneration)
            func names() async throws -> [String] {
                try await DirectorySearch.search(DirectoryQuery(q: "plumbing"), on: app.db, cache: cache).items.map(\.name)
            }
            let (pat, _) = try await Profile.make(name: "Pat Pipes", niches: ["plumbing"], on: app)
            #expect(try await names() == ["Pat Pipes"])
            #expect(cache.count == 1)
            // Any write to a table the page reads moves the generation, even one that bypasses
            // every feature's code: the database's triggers see it.
            try await app.db.sql.raw("UPDATE users SET name = 'Pat Renamed' WHERE id = \(bind: pat.requireID())").run()
            #expect(try await names() == ["Pat Renamed"])
            let (quinn, _) = try await Profile.make(name: "Quinn Drains", niches: ["plumbing"], on: app)
            #expect(try await names() == ["Pat Renamed", "Quinn Drains"])
            let quinnID = try quinn.requireID()
            try await app.db.writeTransaction { db in
                try await MemberSearchIndex.remove(userID: quinnID, on: db)
                try await User.query(on: db).filter(\.$id == quinnID).delete()
            }
            #expect(try await names() == ["Pat Renamed"])
        }
    }

    @Test("the cache keeps at most its capacity, and capacity 0 keeps nothing")
    func capacity() async throws {
        let cache = SearchCache(capacity: 4)
        let empty = DirectoryResults(items: [], total: 0, page: 1, correctedTo: nil, suggestions: [])
        for word in ["a", "b", "c", "d", "e", "f", "g"] {
            cache.store(empty, for: .init(DirectoryQuery(q: word)), generation: 1)
        }
        #expect(cache.count <= 4)
        #expect(cache.value(for: .init(DirectoryQuery(q: "g")), generation: 1) != nil)
        #expect(cache.value(for: .init(DirectoryQuery(q: "g")), generation: 2) == nil)
        let off = SearchCache(capacity: 0)
        off.store(empty, for: .init(DirectoryQuery(q: "a")), generation: 1)
        #expect(off.count == 0)
    }

    @Test("search ids are handed out in order, so the full-text index stays compact")
    func searchIDsInOrder() async throws {
        try await withGuild { app, _ in
            let (_, first) = try await Profile.make(name: "First Member", niches: ["plumbing"], on: app)
            let (_, second) = try await Profile.make(name: "Second Member", niches: ["plumbing"], on: app)
            #expect(second.searchID == first.searchID + 1)
        }
    }
}
