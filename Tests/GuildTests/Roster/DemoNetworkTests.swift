import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Demo network")
struct DemoNetworkTests {
    @Test("the demo writer stores members, niches, tags and search entries that agree with the tables")
    func writesConsistentMembers() async throws {
        try await withGuild { app, _ in
            // act
            try await DemoNetworkWriter.write(members: 60, seed: 7, app: app)
            // assert
            struct Row: Decodable { var id: UUID; var niche_tags: String }
            let rows = try await app.db.sql.raw("SELECT id, niche_tags FROM profiles").all(decoding: Row.self)
            #expect(rows.count == 60)
            let fromTables = try await ProfileTags.json(for: rows.map(\.id), on: app.db)
            for row in rows { #expect(ProfileTags.decode(row.niche_tags) == ProfileTags.decode(fromTables[row.id] ?? "")) }
            #expect(rows.allSatisfy { !ProfileTags.decode($0.niche_tags).niches.isEmpty })
            let everyone = try await DirectorySearch.search(DirectoryQuery(q: "", perPage: 100), on: app.db)
            #expect(everyone.total == 60)
            let first = try #require(everyone.items.first)
            let byName = try await DirectorySearch.search(DirectoryQuery(q: first.name), on: app.db)
            #expect(byName.items.contains { $0.slug == first.slug })
        }
    }
}
