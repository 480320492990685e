import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Roster import")
struct ImportTests {
    let roster = """
        name,email,business,niches,headline,bio,website,city\r
        Marisol Ortega,marisol@example.test,Tablefull,"restaurant marketing;social media for cafes",Seats filled,"Menus, promos\r
        and photos",tablefull.test,"Austin, TX"\r
        Broken Row,not-an-email,,seo,,,,\r
        Dev Kapoor,DEV@example.test,Kapoor Growth,hospitality marketing;local SEO,Local growth,,,"Columbus, OH"\r

        """

    func run(_ csv: String, strict: Bool = false, dryRun: Bool = false, on app: Application) async throws -> RosterImport.Summary {
        try await RosterImport.run(Data(csv.utf8), strict: strict, dryRun: dryRun, baseURL: "http://localhost:8080", on: app.db, logger: app.logger)
    }

    @Test("importing twice updates and never duplicates; new people get one invitation")
    func idempotent() async throws {
        try await withGuild { app, mail in
            // act
            let first = try await run(roster, on: app)
            let second = try await run(roster, on: app)
            try await app.outboxDelivery().deliverDue()
            // assert
            #expect((first.created, first.updated, first.skipped) == (2, 0, 1))
            #expect(first.problems == ["line 4: email “not-an-email”: Enter a valid email address, like name@example.com."])
            #expect((second.created, second.updated, second.skipped) == (0, 2, 1))
            #expect(try await app.count("users") == 2)
            #expect(try await app.count("profiles") == 2)
            #expect(mail.sent.map(\.to).sorted() == ["dev@example.test", "marisol@example.test"])
            #expect(mail.sent[0].body.contains("/password/reset/"))
            let marisol = try #require(try await ProfileDetail.query(slug: "marisol-ortega", on: app.db))
            #expect(marisol.niches.map(\.slug) == ["restaurant-marketing", "social-media-marketing"])
            #expect(marisol.bio == "Menus, promos\r\nand photos")
            #expect(try await search("happy hour", on: app).sorted() == ["Dev Kapoor", "Marisol Ortega"])  // hospitality marketing is a synonym
            #expect(try await User.find(email: "dev@example.test", on: app.db)?.passwordHash == nil)
        }
    }

    @Test("--strict imports nothing when a row is bad; --dry-run writes nothing")
    func strictAndDryRun() async throws {
        try await withGuild { app, mail in
            let strict = try await run(roster, strict: true, on: app)
            #expect(strict.created == 0 && strict.skipped == 3)
            let dry = try await run(roster, dryRun: true, on: app)
            #expect(dry.created == 2 && dry.dryRun)
            #expect(try await app.count("users") == 0)
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.isEmpty)
        }
    }

    @Test("a member's own niches and settings survive a re-import")
    func keepsMemberChanges() async throws {
        try await withGuild { app, _ in
            _ = try await run(roster, on: app)
            let dev = try #require(try await User.find(email: "dev@example.test", on: app.db))
            var input = try await Profiles.input(from: try #require(try await Profile.find(userID: dev.requireID(), on: app.db)), on: app.db)
            input.niches.insert(.init(name: "crm implementation", level: .expert), at: 0)
            input.partnersWanted = ["bookkeeping"]
            try await Profiles.save(input, for: dev, on: app.db)
            _ = try await run(roster, on: app)
            let detail = try #require(try await ProfileDetail.query(slug: "dev-kapoor", on: app.db))
            #expect(detail.niches.first?.slug == "crm-implementation")
            #expect(detail.partnersWanted.map(\.slug) == ["bookkeeping"])
        }
    }

    @Test("the upload page: organizers only; a wrong header is explained")
    func uploadPage() async throws {
        try await withGuild { app, _ in
            let member = Browser(app)
            try await member.signIn(email: try await User.make(on: app).email)
            #expect(try await member.get("/organize/import").status == .forbidden)
            #expect(try await Browser(app).get("/organize/import").status == .seeOther)
            let organizer = Browser(app)
            try await organizer.signIn(email: try await User.make(role: .organizer, on: app).email)
            #expect(try await organizer.get("/organize/import").status == .ok)
            let csrf = try await organizer.currentCSRF()
            func upload(_ csv: String) async throws -> TestingHTTPResponse {
                let boundary = "guildboundary"
                let body = """
                    --\(boundary)\r
                    Content-Disposition: form-data; name="csrf"\r
                    \r
                    \(csrf)\r
                    --\(boundary)\r
                    Content-Disposition: form-data; name="file"; filename="roster.csv"\r
                    Content-Type: text/csv\r
                    \r
                    \(csv)\r
                    --\(boundary)--\r

                    """
                var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
                headers.add(name: .cookie, value: organizer.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                return try await app.testing().sendRequest(.POST, "/organize/import", headers: headers, body: ByteBuffer(string: body))
            }
            let good = try await upload(roster)
            #expect(good.status == .ok)
            #expect(good.body.string.contains("2 created, 0 updated, 1 skipped"))
            let wrong = try await upload("name,phone\nA,1\n")
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("Unknown column “phone”"))
        }
    }

    @Test("a row that passes the roster check always imports: limits in combining marks, emoji and other scripts")
    func sameRulesAsTheForm() async throws {
        try await withGuild { app, _ in
            // setup: 120 code points (60 characters) pass; 122 code points (61 characters) do not,
            // though both are under 120 characters.
            let atLimit = String(repeating: "e\u{301}", count: 60)
            let overLimit = String(repeating: "e\u{301}", count: 61)
            let bio = String(repeating: "👩‍💻", count: 1_000) + String(repeating: "東", count: 2_000)
            let csv = """
                name,email,business,niches,bio\r
                Zoë Ünal,zoe@example.test,\(atLimit),東京 photography;bookkeeping,\(bio)\r
                Ахмед Ким,ahmed@example.test,\(overLimit),bookkeeping,\r
                محمد علي,mohammed@example.test,دفاتر,bookkeeping,\r

                """
            // act
            let summary = try await run(csv, on: app)
            // assert
            #expect((summary.created, summary.skipped) == (2, 1))
            #expect(summary.problems == ["line 3: business: Business must be at most 120 characters."])
            let zoe = try #require(try await ProfileDetail.query(slug: "zoe-unal", on: app.db))
            #expect(zoe.business == atLimit)
            #expect(zoe.bio == bio)
            #expect(try await app.count("profiles") == 2)
        }
    }
}
