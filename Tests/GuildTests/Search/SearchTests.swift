import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Directory search")
struct SearchTests {
    @Test("an exact niche match ranks above a passing mention in a bio")
    func nicheBeatsBio() async throws {
        try await withGuild { app, _ in
            // setup
            try await Profile.make(name: "Bio Mention", niches: ["bookkeeping"],
                                   bio: "Numbers all day. Once I helped a friend with a wordpress plugin.", on: app)
            try await Profile.make(name: "Niche Expert", niches: ["WordPress development"], on: app)
            // act
            let names = try await search("wordpress", on: app)
            // assert
            #expect(names == ["Niche Expert", "Bio Mention"])
        }
    }

    @Test("client words, synonyms, stemming, prefixes and one typo find the right member")
    func howClientsSearch() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Dana Builder", niches: ["web application development"], on: app)
            try await Profile.make(name: "Pat Lens", niches: ["real estate photography"], on: app)
            #expect(try await search("booking system", on: app) == ["Dana Builder"])  // a client word
            #expect(try await search("customer portals", on: app) == ["Dana Builder"])  // plural, stemmed
            #expect(try await search("matterport", on: app) == ["Pat Lens"])  // a synonym
            #expect(try await search("photog", on: app) == ["Pat Lens"])  // type-ahead prefix
            let typo = try await DirectorySearch.search(DirectoryQuery(q: "photgraphy"), on: app.db)
            #expect(typo.items.map(\.name) == ["Pat Lens"])
            #expect(typo.correctedTo != nil)
            let clientTypo = try await DirectorySearch.search(DirectoryQuery(q: "boking system"), on: app.db)
            #expect(clientTypo.items.map(\.name) == ["Dana Builder"])
        }
    }

    @Test("filters: niche, city prefix, remote, availability; empty q lists everyone")
    func filters() async throws {
        try await withGuild { app, _ in
            // setup
            try await Profile.make(name: "Austin Seo", niches: ["local seo"], city: "Austin, TX", remote: true, on: app)
            try await Profile.make(name: "Leeds Seo", niches: ["local seo"], city: "Leeds, UK", availability: .busy, on: app)
            try await Profile.make(name: "Leeds Books", niches: ["bookkeeping"], city: "Leeds, UK", remote: true,
                                   availability: .away, on: app)
            func names(_ query: DirectoryQuery) async throws -> [String] {
                try await DirectorySearch.search(query, on: app.db).items.map(\.name)
            }
            // act, assert
            #expect(try await search("", on: app) == ["Austin Seo", "Leeds Books", "Leeds Seo"])
            #expect(try await search("", niche: "local-seo", on: app) == ["Austin Seo", "Leeds Seo"])
            #expect(try await search("", city: "leeds", on: app) == ["Leeds Books", "Leeds Seo"])
            #expect(try await search("seo", city: "Austin", on: app) == ["Austin Seo"])
            // remote and availability, alone, together, with text and with a niche
            #expect(try await names(DirectoryQuery(remote: true)) == ["Austin Seo", "Leeds Books"])
            #expect(try await names(DirectoryQuery(available: true)) == ["Austin Seo"])
            #expect(try await names(DirectoryQuery(remote: true, available: true)) == ["Austin Seo"])
            #expect(try await names(DirectoryQuery(q: "seo", remote: true)) == ["Austin Seo"])
            #expect(try await names(DirectoryQuery(q: "seo", available: true)) == ["Austin Seo"])
            #expect(try await names(DirectoryQuery(niche: "local-seo", available: true)) == ["Austin Seo"])
            #expect(try await names(DirectoryQuery(city: "leeds", remote: true)) == ["Leeds Books"])
            // the page's niche filter is a list of names by category, the chosen one selected
            let filtered = try await app.testing().sendRequest(.GET, "/directory?niche=local-seo").body.string
            #expect(filtered.contains(#"<option value="local-seo" selected>Local SEO</option>"#))
            #expect(filtered.contains(#"<optgroup label="Marketing"#))
            #expect(!filtered.contains(#"name="niche" type="text""#))
            // the same filters from the page and the API
            let page = try await app.testing().sendRequest(.GET, "/directory?remote=on&available=on").body.string
            #expect(page.contains("Austin Seo") && !page.contains("Leeds Books") && !page.contains("Leeds Seo"))
            let api = try await app.testing().sendRequest(.GET, "/api/v1/members?remote=true").body.string
            #expect(api.contains("austin-seo") && api.contains("leeds-books") && !api.contains("leeds-seo"))
        }
    }

    @Test("no results suggest niches close to the query")
    func suggestions() async throws {
        try await withGuild { app, _ in
            let results = try await DirectorySearch.search(DirectoryQuery(q: "bookkeeper"), on: app.db)
            #expect(results.total == 0)
            #expect(results.suggestions.contains { $0.slug == "bookkeeping" })
        }
    }

    @Test("the index follows edits, deletions and niche merges")
    func indexConsistency() async throws {
        try await withGuild { app, _ in
            // edit: the old niche no longer finds the member, the new one does
            let (user, _) = try await Profile.make(name: "Morgan Shift", niches: ["dog training"], on: app)
            var input = ProfileInput()
            input.niches = [.init(name: "tax preparation", level: .expert)]
            try await Profiles.save(input, for: user, on: app.db)
            #expect(try await search("dog training", on: app).isEmpty)
            #expect(try await search("taxes", on: app) == ["Morgan Shift"])
            // merge: a member-made niche merged into a curated one is found by the target's words
            try await Profile.make(name: "Sam Spelling", niches: ["pupper obedience"], on: app)
            _ = try await Niches.merge(slug: "pupper-obedience", into: "dog training", on: app.db)
            #expect(try await search("puppy class", on: app) == ["Sam Spelling"])
            #expect(try await search("", niche: "dog-training", on: app) == ["Sam Spelling"])
            // a new synonym finds members already in the niche
            try await Niches.addSynonym("canine coaching", toSlug: "dog-training", on: app.db)
            #expect(try await search("canine", on: app) == ["Sam Spelling"])
            // delete: the member disappears from results
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            #expect(try await browser.post("/settings/delete", ["password": testPassword]).status == .seeOther)
            #expect(try await search("taxes", on: app).isEmpty)
        }
    }

    @Test("after a merge, the merged niche's names find the target niche's own members too")
    func mergeReindexesTarget() async throws {
        try await withGuild { app, _ in
            // setup
            try await Profile.make(name: "Canine Coach", niches: ["dog training"], on: app)
            try await Profile.make(name: "Pupper Person", niches: ["pupper obedience"], on: app)
            #expect(try await search("pupper", on: app) == ["Pupper Person"])
            // act
            _ = try await Niches.merge(slug: "pupper-obedience", into: "dog training", on: app.db)
            // assert
            #expect(Set(try await search("pupper", on: app)) == ["Canine Coach", "Pupper Person"])
        }
    }

    @Test("stored niche tags follow merges, for members in the niche and members who want partners in it")
    func tagsFollowMerges() async throws {
        try await withGuild { app, _ in
            // setup
            let (_, listed) = try await Profile.make(name: "Pat Barker", niches: ["pupper obedience"], on: app)
            let wisher = try await User.make(name: "Vet Wisher", on: app)
            var input = ProfileInput()
            input.niches = [.init(name: "veterinary", level: .expert)]
            input.partnersWanted = ["pupper obedience"]
            try await Profiles.save(input, for: wisher, on: app.db)
            // act
            _ = try await Niches.merge(slug: "pupper-obedience", into: "dog training", on: app.db)
            // assert
            let trainer = try #require(try await ProfileDetail.query(slug: listed.slug, on: app.db))
            #expect(trainer.niches.map(\.slug) == ["dog-training"])
            let vet = try #require(try await ProfileDetail.query(slug: "vet-wisher", on: app.db))
            #expect(vet.partnersWanted.map(\.slug) == ["dog-training"])
            #expect(try await search("", niche: "dog-training", on: app) == ["Pat Barker"])
            // Found by the merged niche's words alone (nothing in the name or bio says them), and the
            // result lists the new niche.
            let found = try await DirectorySearch.search(DirectoryQuery(q: "pupper obedience"), on: app.db).items
            #expect(found.map(\.name) == ["Pat Barker"])
            #expect(found.first?.niches.map(\.slug) == ["dog-training"])
        }
    }

    @Test("a search page over HTTP shows the right slice of results")
    func searchPageOverHTTP() async throws {
        try await withGuild { app, _ in
            for index in 0..<25 { try await Profile.make(name: "Member \(index)", niches: ["seo"], on: app) }
            let page = try await Browser(app).get("/directory?q=seo&page=2")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("25 members"))
            #expect(page.body.string.components(separatedBy: "class=\"member\"").count - 1 == 5)
        }
    }
}
