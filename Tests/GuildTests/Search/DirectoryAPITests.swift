import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Directory JSON API")
struct DirectoryAPITests {
    func token(for user: User, on app: Application) async throws -> String {
        try await APIToken.issue(for: user.requireID(), label: "test", on: app.db).1
    }

    @Test("search, a member, niches and a niche")
    func reads() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Pat Lens", niches: ["real estate photography"], headline: "Homes that sell", on: app)
            let list = try await app.testing().sendRequest(.GET, "/api/v1/members?q=matterport")
            #expect(list.status == .ok)
            #expect(list.body.string.contains(#""slug":"pat-lens""#))
            #expect(list.body.string.contains(#""level":"expert""#))
            #expect(list.body.string.contains(#""total":1"#))
            let member = try await app.testing().sendRequest(.GET, "/api/v1/members/pat-lens")
            #expect(member.status == .ok)
            #expect(member.body.string.contains(#""headline":"Homes that sell""#))
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/members/nobody").status == .notFound)
            let niches = try await app.testing().sendRequest(.GET, "/api/v1/niches")
            #expect(niches.body.string.contains(#""slug":"real-estate-photography""#))
            let niche = try await app.testing().sendRequest(.GET, "/api/v1/niches/real-estate-photography")
            #expect(niche.body.string.contains(#""total":1"#))
            #expect(niche.body.string.contains("matterport tours"))
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/niches/none").status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/members?page=0").status == .badRequest)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/members?page=abc").status == .badRequest)
        }
    }

    @Test("merge and synonyms: anonymous 401, a member 403, an organizer merges and adds; bad input 422, unknown 404")
    func organizerActions() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Maps Person", niches: ["google maps ranking"], on: app)
            try await Profile.make(name: "Seo Person", niches: ["local seo"], on: app)
            let member = try await token(for: try await User.make(name: "Plain Member", on: app), on: app)
            let organizer = try await token(for: try await User.make(name: "Org Anizer", role: .organizer, on: app), on: app)
            func post(_ path: String, _ json: String, token: String?) async throws -> TestingHTTPResponse {
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
                return try await app.testing().sendRequest(.POST, "/api/v1\(path)", headers: headers, body: ByteBuffer(string: json))
            }
            let merge = #"{"into":"local-seo"}"#, synonym = #"{"synonym":"map pack"}"#
            #expect(try await post("/niches/google-maps-ranking/merge", merge, token: nil).status == .unauthorized)
            #expect(try await post("/niches/google-maps-ranking/merge", merge, token: member).status == .forbidden)
            #expect(try await post("/niches/local-seo/synonyms", synonym, token: nil).status == .unauthorized)
            #expect(try await post("/niches/local-seo/synonyms", synonym, token: member).status == .forbidden)
            #expect(try await search("", niche: "local-seo", on: app) == ["Seo Person"])

            let merged = try await post("/niches/google-maps-ranking/merge", merge, token: organizer)
            #expect(merged.status == .ok)
            #expect(merged.body.string.contains(#""slug":"local-seo""#))
            #expect(merged.body.string.contains(#""total":2"#))
            #expect(try await search("", niche: "local-seo", on: app) == ["Maps Person", "Seo Person"])
            let added = try await post("/niches/local-seo/synonyms", synonym, token: organizer)
            #expect(added.status == .ok)
            #expect(added.body.string.contains("map pack"))
            #expect(try await search("map pack", on: app).count == 2)

            let itself = try await post("/niches/local-seo/merge", #"{"into":"local seo"}"#, token: organizer)
            #expect(itself.status == .unprocessableEntity)
            #expect(itself.body.string.contains(#""field":"into""#))
            let nowhere = try await post("/niches/local-seo/merge", #"{"into":"no such niche at all"}"#, token: organizer)
            #expect(nowhere.status == .unprocessableEntity)
            let blank = try await post("/niches/local-seo/synonyms", #"{"synonym":"  "}"#, token: organizer)
            #expect(blank.status == .unprocessableEntity)
            #expect(blank.body.string.contains(#""field":"synonym""#))
            #expect(try await post("/niches/local-seo/synonyms", #"{"synonym":"map pack"}"#, token: organizer).status == .unprocessableEntity)
            #expect(try await post("/niches/none/synonyms", synonym, token: organizer).status == .notFound)
            #expect(try await post("/niches/none/merge", merge, token: organizer).status == .notFound)
            #expect(try await post("/niches/local-seo/synonyms", #"{"word":1}"#, token: organizer).status == .badRequest)
        }
    }

    @Test("away until a date: saved through the API, read back by the API and shown on the page")
    func awayUntil() async throws {
        try await withGuild { app, _ in
            // setup
            let user = try await User.make(name: "Away Person", on: app)
            let token = try await token(for: user, on: app)
            let headers: HTTPHeaders = ["Content-Type": "application/json", "Authorization": "Bearer \(token)"]
            let json = #"{"niches":[{"name":"seo","level":"expert"}],"partnersWanted":["bookkeeping"],"availability":"away","awayUntil":"2027-01-15"}"#
            // act
            let saved = try await app.testing().sendRequest(.PUT, "/api/v1/me/profile", headers: headers, body: ByteBuffer(string: json))
            // assert
            #expect(saved.status == .ok)
            let read = try await app.testing().sendRequest(.GET, "/api/v1/members/away-person")
            #expect(read.body.string.contains(#""awayUntil":"2027-01-15""#))
            #expect(read.body.string.contains(#""availability":"away""#))
            #expect(read.body.string.contains(#""slug":"bookkeeping""#))
            let page = try await Browser(app).get("/m/away-person").body.string
            #expect(page.contains("Away until 2027-01-15"))
        }
    }

    @Test("PUT /me/profile: anonymous 401, bad input 422 with the field, the owner saves")
    func update() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(name: "Api Person", on: app)
            let token = try await token(for: user, on: app)
            func put(_ json: String, auth: Bool = true) async throws -> TestingHTTPResponse {
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if auth { headers.add(name: .authorization, value: "Bearer \(token)") }
                return try await app.testing().sendRequest(.PUT, "/api/v1/me/profile", headers: headers, body: ByteBuffer(string: json))
            }
            #expect(try await put(#"{"niches":[{"name":"seo"}]}"#, auth: false).status == .unauthorized)
            let empty = try await put(#"{"niches":[]}"#)
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.string.contains(#""field":"niches""#))
            let site = try await put(#"{"niches":[{"name":"seo"}],"website":"javascript:alert(1)"}"#)
            #expect(site.body.string.contains(#""field":"website""#))
            #expect(try await put(#"{"niches":[{"name":"seo","level":"guru"}]}"#).status == .badRequest)
            #expect(try await put(#"{"niches":[{"name":"seo","level":""}]}"#).status == .badRequest)
            #expect(try await put(#"{"niches":[{"name":"seo"}],"availability":""}"#).status == .badRequest)
            #expect(try await app.count("profiles") == 0)
            let saved = try await put(#"{"niches":[{"name":"Local SEO","level":"expert"}],"bio":"<script>x</script> *hi*","city":"Leeds","availability":null}"#)
            #expect(saved.status == .ok)
            #expect(saved.body.string.contains(#""slug":"local-seo""#))
            #expect(saved.body.string.contains("&lt;script&gt;x&lt;\\/script&gt; <em>hi<\\/em>"))
            #expect(try await search("", city: "leeds", on: app) == ["Api Person"])
        }
    }
}
