import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Profiles")
struct ProfileTests {
    let form = [
        "business": "Lovelace Analytics", "headline": "Numbers for small shops", "bio": "I <b>love</b> **data**.",
        "website": "lovelace.example", "city": "Austin, TX", "remote": "true", "niche1": "WordPress Developers",
        "level1": "expert", "niche2": "Underwater basket weaving", "level2": "learning", "partners_wanted": "seo; bookkeeping",
        "availability": "available",
    ]

    @Test("a member fills the profile; typed niches meet existing ones; the page renders safely")
    func fillProfile() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(name: "Ada Lovelace", on: app)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            let saved = try await browser.post("/profile/edit", form)
            #expect(saved.status == .seeOther)
            #expect(saved.headers.first(name: .location) == "/m/ada-lovelace")
            let page = try await browser.get("/m/ada-lovelace").body.string
            #expect(page.contains("/n/wordpress-development"))  // matched through a synonym
            #expect(page.contains("/n/underwater-basket-weaving"))  // a new niche
            #expect(page.contains("&lt;b&gt;love&lt;/b&gt; <strong>data</strong>"))
            #expect(page.contains("https://lovelace.example"))
            #expect(try await Niche.query(on: app.db).filter(\.$slug == "underwater-basket-weaving").first()?.curated == false)
        }
    }

    @Test("bad profile input names the field and changes nothing",
          arguments: [("niche1", "", "niches"), ("website", "not a site", "website"),
                      ("headline", String(repeating: "h", count: 161), "headline")])
    func badInput(field: String, value: String, errorField: String) async throws {
        try await withGuild { app, _ in
            let user = try await User.make(on: app)
            let browser = Browser(app)
            try await browser.signIn(email: user.email)
            var form = self.form
            form[field] = value
            if errorField == "niches" { form["niche2"] = "" }
            let response = try await browser.post("/profile/edit", form)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("id=\"\(errorField)-error\""))
            #expect(try await app.count("profiles") == 0)
        }
    }

    @Test("editing someone's profile: anonymous, another member, the owner, an organizer, an admin")
    func editAuthorization() async throws {
        try await withGuild { app, _ in
            let (owner, profile) = try await Profile.make(name: "Owner Person", niches: ["seo"], on: app)
            let other = try await User.make(on: app)
            let organizer = try await User.make(role: .organizer, on: app)
            let admin = try await User.make(role: .admin, on: app)
            let path = "/m/\(profile.slug)/edit"
            let anonymous = Browser(app)
            #expect(try await anonymous.get(path).status == .seeOther)
            #expect(try await anonymous.post(path, form).status == .unauthorized)
            let stranger = Browser(app)
            try await stranger.signIn(email: other.email)
            #expect(try await stranger.get(path).status == .forbidden)
            #expect(try await stranger.post(path, form).status == .forbidden)
            let self_ = Browser(app)
            try await self_.signIn(email: owner.email)
            #expect(try await self_.get(path).headers.first(name: .location) == "/profile/edit")
            for moderator in [organizer, admin] {
                let browser = Browser(app)
                try await browser.signIn(email: moderator.email)
                #expect(try await browser.get(path).status == .ok)
            }
            let moderator = Browser(app)
            try await moderator.signIn(email: organizer.email)
            var edited = form
            edited["headline"] = "Moderated headline"
            #expect(try await moderator.post(path, edited).status == .seeOther)
            #expect(try await Profile.find(slug: profile.slug, on: app.db)?.headline == "Moderated headline")
            #expect(try await Profile.find(userID: organizer.requireID(), on: app.db) == nil)
            #expect(try await Browser(app).get("/m/nobody-here").status == .notFound)
        }
    }

    @Test("slugs are unique and stable")
    func slugs() async throws {
        try await withGuild { app, _ in
            let (first, one) = try await Profile.make(name: "Sam Lee", niches: ["seo"], on: app)
            let (_, two) = try await Profile.make(name: "Sam Lee", niches: ["seo"], on: app)
            #expect(one.slug == "sam-lee")
            #expect(two.slug == "sam-lee-2")
            first.name = "Samuel Lee"
            try await first.save(on: app.db)
            try await Profiles.save(ProfileInput(niches: [.init(name: "seo", level: .expert)]), for: first, on: app.db)
            #expect(try await Profile.find(userID: first.requireID(), on: app.db)?.slug == "sam-lee")
        }
    }

    @Test("niche pages list everyone in the niche, and organizers can merge niches")
    func nichePages() async throws {
        try await withGuild { app, _ in
            for index in 0..<3 { try await Profile.make(name: "Seo \(index)", niches: ["local seo", "seo"], on: app) }
            try await Profile.make(name: "Maps Person", niches: ["google maps ranking"], on: app)
            let page = try await Browser(app).get("/n/local-seo").body.string
            #expect(page.contains("3 members in this niche"))
            #expect(page.contains("/n/seo"))  // related through shared members
            #expect(!page.contains("Merge into"))
            let index = try await Browser(app).get("/niches").body.string
            #expect(index.contains("Marketing &amp; Sales"))
            let organizer = try await User.make(role: .organizer, on: app)
            let browser = Browser(app)
            try await browser.signIn(email: organizer.email)
            #expect(try await browser.get("/n/local-seo").body.string.contains("Merge into"))
            let merged = try await browser.post("/n/google-maps-ranking/merge", ["into": "local-seo"])
            #expect(merged.status == .seeOther)
            #expect(try await browser.get("/n/local-seo").body.string.contains("4 members in this niche"))
            #expect(try await browser.post("/n/local-seo/merge", ["into": "local seo"]).status == .unprocessableEntity)
            let member = Browser(app)
            try await member.signIn(email: try await User.make(on: app).email)
            #expect(try await member.post("/n/seo/merge", ["into": "local-seo"]).status == .forbidden)
            // Synonyms: anonymous must sign in, a member is refused, an organizer adds one.
            let anonymous = try await Browser(app).post("/n/seo/synonyms", ["synonym": "serp wizardry"])
            #expect(anonymous.status == .unauthorized)
            #expect(try await member.post("/n/seo/synonyms", ["synonym": "serp wizardry"]).status == .forbidden)
            #expect(try await search("serp wizardry", on: app).isEmpty)
            #expect(try await browser.post("/n/seo/synonyms", ["synonym": "serp wizardry"]).status == .seeOther)
            #expect(Set(try await search("serp wizardry", on: app)) == ["Seo 0", "Seo 1", "Seo 2"])
            #expect(try await browser.post("/n/seo/synonyms", ["synonym": " "]).status == .unprocessableEntity)
        }
    }
}
