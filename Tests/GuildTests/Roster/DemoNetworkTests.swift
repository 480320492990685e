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

    @Test("`serve --demo` seeds the whole living network on an empty database, within every limit and the mail policy")
    func wholeDemo() async throws {
        try await withGuild { app, _ in
            // act
            try await DemoData.seedIfEmpty(app, console: Terminal())
            // assert: every feature has its demo rows
            for table in ["users", "referrals", "referral_requests", "posts", "circles", "events", "contacts", "cover_backups", "disciplines"] {
                #expect(try await app.count(table) > 0, "no demo rows in \(table)")
            }
        }
    }

    @Test("generated posts, comments, marks and blogrolls agree with what the pages and search read")
    func writesKnowledge() async throws {
        try await withGuild { app, _ in
            // setup
            let members = try await DemoNetworkWriter.write(members: 100, seed: 7, app: app)
            // act
            let written = try await DemoPostWriter.write(perMember: 2, among: members, seed: 7, app: app)
            let recommendations = try await DemoBlogWriter.write(among: members, seed: 7, app: app)
            // assert
            #expect(written.posts == 200 && written.comments > 100 && written.marks > 100)
            #expect(try await app.count("posts") == 200)
            #expect(try await app.count("post_comments") == written.comments)
            struct Row: Decodable { var n: Int }
            let orphans = try await app.db.sql.raw("""
                SELECT COUNT(*) AS n FROM post_comments c JOIN post_comments p ON p.id = c.parent_id WHERE p.parent_id IS NOT NULL OR p.post_id <> c.post_id
                """).first(decoding: Row.self)?.n
            #expect(orphans == 0)  // replies answer a top-level comment of the same post
            let latest = try await Posts.list(.init(limit: 5), on: app.db)
            #expect(latest.count == 5 && latest.allSatisfy { !$0.body_html.isEmpty && $0.isPublic })
            let title = try #require(latest.first?.title)
            let found = try await PostSearch.hits(PostQuery(q: title, membersOnlyToo: true), on: app.db)
            #expect(found.ids.contains(try #require(latest.first?.id)))
            #expect(recommendations >= 4)
            let niche = try #require(try await app.db.sql.raw("""
                SELECT n.slug AS slug FROM blog_recommendation_niches rn JOIN niches n ON n.id = rn.niche_id LIMIT 1
                """).first(decoding: NicheSlug.self)?.slug)
            let page = try await app.testing().sendRequest(.GET, "/n/\(niche)/blogroll").body.string
            #expect(page.contains("(its writer)") && !page.contains("Nothing read from these blogs yet"))
        }
    }

    struct NicheSlug: Decodable { var slug: String }
}
