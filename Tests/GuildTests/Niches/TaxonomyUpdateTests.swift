import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Taxonomy updates")
struct TaxonomyUpdateTests {
    struct Count: Decodable { var n: Int }

    @Test("an update brings an older database up to date, absorbs a niche members typed, and is a no-op when run again")
    func update() async throws {
        try await withGuild { app, _ in
            // An older database: loaded before the update's niche, synonym and client word existed.
            try await app.db.sql.raw("DELETE FROM niche_aliases WHERE niche_id IN (SELECT id FROM niches WHERE slug = 'ai-workflow-automation')").run()
            try await app.db.sql.raw("DELETE FROM niches WHERE slug = 'ai-workflow-automation'").run()
            try await app.db.sql.raw("DELETE FROM niche_aliases WHERE label = 'saas development'").run()
            try await app.db.sql.raw("UPDATE niches SET client_words = 'start a podcast' WHERE slug = 'podcast-production'").run()
            try await Profile.make(name: "Ada Agents", niches: ["AI automation"], on: app)
            try await Profile.make(name: "Sam Builder", niches: ["web application development"], on: app)
            let wisher = try await User.make(name: "Partner Wisher", on: app)
            var wishes = ProfileInput()
            wishes.niches = [.init(name: "bookkeeping", level: .expert)]
            wishes.partnersWanted = ["AI automation"]
            try await Profiles.save(wishes, for: wisher, on: app.db)
            #expect(try await search("", niche: "ai-automation", on: app) == ["Ada Agents"])  // typed, uncurated
            #expect(try await search("saas", on: app).isEmpty)

            let update = try #require(GuildMigrations.all(taxonomy: app.taxonomy).compactMap { $0 as? TaxonomyUpdate }.first)
            try await update.apply(on: app.db)

            #expect(try await search("", niche: "ai-workflow-automation", on: app) == ["Ada Agents"])
            #expect(try await search("chatgpt integration", on: app) == ["Ada Agents"])
            #expect(try await search("saas", on: app) == ["Sam Builder"])
            let wants = try await ProfileDetail.query(slug: "partner-wisher", on: app.db)
            #expect(wants?.partnersWanted.map(\.slug) == ["ai-workflow-automation"])
            let resolved = try await NicheResolver.find("ai automation", on: app.db)
            #expect(resolved?.slug == "ai-workflow-automation")
            let podcast = try await Niche.query(on: app.db).filter(\.$slug == "podcast-production").first()
            #expect(podcast?.clientWords == "start a podcast; podcast launch")

            // The frozen update wrote what today's index and tags code would write for these members.
            let updated = try await DirectorySnapshot.take(on: app.db)
            struct ID: Decodable { var id: UUID }
            let everyone = try await app.db.sql.raw("SELECT id FROM profiles").all(decoding: ID.self).map(\.id)
            try await app.db.writeTransaction { db in try await MemberSearchIndex.reindex(everyone, on: db) }
            #expect(try await DirectorySnapshot.take(on: app.db) == updated)

            let niches = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM niches").first(decoding: Count.self)?.n
            let aliases = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM niche_aliases").first(decoding: Count.self)?.n
            let generation = try await CacheGeneration.read(on: app.db)
            try await update.apply(on: app.db)
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM niches").first(decoding: Count.self)?.n == niches)
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM niche_aliases").first(decoding: Count.self)?.n == aliases)
            #expect(try await CacheGeneration.read(on: app.db) == generation)
        }
    }

    @Test("a new database already has everything the updates add")
    func newDatabase() async throws {
        try await withGuild { app, _ in
            let added = try await Niche.query(on: app.db).filter(\.$slug ~~ ["ai-workflow-automation", "fractional-cmo"])
                .filter(\.$curated == true).count()
            #expect(added == 2)
            let saas = try await NicheResolver.find("saas development", on: app.db)
            #expect(saas?.slug == "web-application-development")
            #expect(app.taxonomy.allNiches.count >= 200)
        }
    }
}

@Suite("Upgrading a directory")
struct DirectoryUpgradeTests {
    @Test("a database with members comes through migrations 011–016 with its bios, search, tags and ids intact")
    func upgradeWithMembers() async throws {
        try await withGuild { app, _ in
            // setup: members with Markdown bios (links, a local and a remote image, code, raw HTML), then
            // the schema as it was after migration 010
            let bio = """
                Photos for [agents](https://example.com/agents "x") and <b>bold</b> claims.

                ![floor plan](/media/plan.png) ![pixel](https://tracker.example/p.gif)

                ```swift
                let x = "<script>"
                ```
                """
            try await Profile.make(name: "Pat Lens", niches: ["real estate photography"], bio: bio, on: app)
            try await Profile.make(name: "Dana Builder", niches: ["web application development"], bio: "*Databases* & `SQL`", on: app)
            let steps = Array(GuildMigrations.all(taxonomy: app.taxonomy)[10...15])
            #expect(steps.map(\.name) == ["011_AddProfileBioHTML", "012_AddProfileTags", "013_TuneMemberSearch", "014_MoveSearchVectors",
                                          "015_TaxonomyAIAndFractional", "016_DirectoryGenerationTriggers"])
            // One connection: SQLite's other connections would parse against the schema they last saw.
            let fresh = try await DirectorySnapshot.take(on: app.db)
            #expect(fresh.lines.contains { $0.hasPrefix("pat-lens | 1 | {\"niches\":[{\"level\":\"expert\"") }, "\(fresh.lines.prefix(3))")
            #expect(fresh.lines.contains { $0.contains("Pat Lens") || $0.contains("'pat':") })  // the search entry
            // the rendered bio, what 011 must write again: the local image shown, the remote one a link
            #expect(fresh.lines.contains { $0.hasPrefix("pat-lens | ") && $0.contains("<img src=\"/media/plan.png\"") && $0.contains(">Image: pixel</a>") })
            // Later steps that hang triggers on search_state (created by 013) come off first and go back on last.
            let later = GuildMigrations.all(taxonomy: app.taxonomy).filter { ["021_CreateTestimonials", "022_DeferGenerationBumps", "026_CreateConversation", "035_CoverGenerationTriggers", "043_CreateLedgerGeneration"].contains($0.name) }
            try await app.db.withConnection { db in
                for step in later.reversed() + steps.reversed() { try await step.revert(on: db).get() }
                // act
                for step in steps + later { try await step.prepare(on: db).get() }
            }
            // assert: the frozen steps (011's Markdown, 012's tags, 013's and 015's directory code) leave
            // exactly what today's code writes for the same members
            let upgraded = try await DirectorySnapshot.take(on: app.db)
            #expect(upgraded == fresh, "\(zip(upgraded.lines, fresh.lines).filter { $0 != $1 }.prefix(3))")
            #expect(try await search("matterport", on: app) == ["Pat Lens"])
            #expect(try await search("booking system", on: app) == ["Dana Builder"])
            let pat = try #require(try await ProfileDetail.query(slug: "pat-lens", on: app.db))
            #expect(pat.niches.map(\.slug) == ["real-estate-photography"])
            struct IDs: Decodable { var search_id: Int64 }
            let ids = try await app.db.sql.raw("SELECT search_id FROM profiles ORDER BY search_id").all(decoding: IDs.self).map(\.search_id)
            #expect(ids == [1, 2])
            let (_, third) = try await Profile.make(name: "Third Member", niches: ["seo"], on: app)
            #expect(third.searchID == 3)
        }
    }
}

@Suite("Niche display names")
struct NicheDisplayNameTests {
    @Test("018 carries exactly the names niches.txt has, differing from the old ones in case only")
    func namesMatchTheFile() async throws {
        try await withGuild { app, _ in
            let file = Dictionary(uniqueKeysWithValues: app.taxonomy.allNiches.map { ($0.slug, $0.name) })
            #expect(NicheDisplayNames.names.count == file.count)
            for (slug, name) in NicheDisplayNames.names { #expect(file[slug] == name, "\(slug)") }
        }
    }

    @Test("an older database gets the display names, and members' tags and search follow")
    func olderDatabase() async throws {
        try await withGuild { app, _ in
            // setup: the names as they were before 018
            try await Profile.make(name: "Marisol Seo", niches: ["local seo", "restaurant marketing"], on: app)
            try await app.db.sql.raw("UPDATE niches SET name = LOWER(name) WHERE curated = \(bind: true)").run()
            try await app.db.sql.raw("UPDATE niche_aliases SET label = LOWER(label)").run()
            struct ID: Decodable { var id: UUID }
            let everyone = try await app.db.sql.raw("SELECT id FROM profiles").all(decoding: ID.self).map(\.id)
            try await app.db.writeTransaction { db in try await MemberSearchIndex.reindex(everyone, on: db) }
            #expect(try await ProfileDetail.query(slug: "marisol-seo", on: app.db)?.niches.map(\.name) == ["local seo", "restaurant marketing"])
            // act
            try await NicheDisplayNames().prepare(on: app.db)
            // assert
            #expect(try await ProfileDetail.query(slug: "marisol-seo", on: app.db)?.niches.map(\.name) == ["Local SEO", "Restaurant marketing"])
            #expect(try await search("local seo", on: app) == ["Marisol Seo"])
            let page = try await app.testing().sendRequest(.GET, "/n/local-seo").body.string
            #expect(page.contains("<h1>Local SEO</h1>") || page.contains(">Local SEO<"))
        }
    }
}
