import Fluent
import Foundation
import NIOHTTP1
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// The checkout's model (`guild model fetch` puts it there); tests that need it show as skipped without it.
/// Tests that need the model are skipped without it on a developer's machine, and run (and fail) in CI.
enum TestModel {
    static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
    static var runs: Bool { present || inCI }
    /// The first line of a test that needs the model.
    static func require() throws { try #require(present, "CI needs the model: guild model fetch") }
    static let present: Bool = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let directory = ProcessInfo.processInfo.environment["GUILD_MODEL_DIR"].map { URL(fileURLWithPath: $0) }
            ?? root.appendingPathComponent(".guild/model/all-MiniLM-L6-v2")
        return FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path)
    }()
}

struct MatchReply: Decodable {
    struct Member: Decodable { var slug: String; var name: String }
    struct Reason: Decodable { var kind: String; var text: String }
    struct Match: Decodable { var member: Member; var score: Double; var reasons: [Reason] }
    var matches: [Match]
    var semantic: Bool
    var suggestion: String?
}

func askForMatches(_ body: String, on app: Application) async throws -> TestingHTTPResponse {
    try await app.testing().sendRequest(.POST, "/api/v1/matches", headers: ["Content-Type": "application/json"], body: .init(string: body))
}

func matches(_ need: String, city: String? = nil, remote: Bool = false, on app: Application) async throws -> MatchReply {
    var body: [String: Any] = ["need": need, "remote": remote]
    if let city { body["city"] = city }
    let response = try await askForMatches(String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), on: app)
    #expect(response.status == .ok, "\(response.body.string)")
    return try JSONDecoder().decode(MatchReply.self, from: Data(response.body.readableBytesView))
}

/// Embeds whatever the profile writes queued, as `guild serve`'s worker would.
func embedQueued(on app: Application) async throws {
    let encoder = try #require(await app.matchingModel.load(on: app.threadPool, logger: app.logger))
    try await MatchEmbedder(db: app.db, encoder: encoder, pool: app.threadPool).embedAll()
}

@Suite("Matching: a need in the client's words finds the right member, with reasons")
struct MatchingTests {
    static func network(on app: Application) async throws {
        try await Profile.make(name: "Bea Books", niches: ["bookkeeping"], bio: "I reconcile accounts and file sales tax for shops. Receipts in a shoebox do not scare me.",
                               headline: "Monthly bookkeeping for small shops", on: app)
        try await Profile.make(name: "Dana Builder", niches: ["web application development"],
                               bio: "I build booking and scheduling systems that replace spreadsheets.", headline: "Custom web apps", on: app)
        try await Profile.make(name: "Pat Lens", niches: ["real estate photography"], bio: "Listing photos and drone shots for agents.",
                               headline: "Homes that sell", city: "Denver, CO", on: app)
    }

    @Test("semantic: the need's meaning finds the member, and the reasons quote what matched",
          .enabled(if: TestModel.runs, "the model is not fetched (guild model fetch)"))
    func semanticMatch() async throws {
        try TestModel.require()
        try await withGuild { app, _ in
            // setup
            try await Self.network(on: app)
            try await embedQueued(on: app)
            // act
            let reply = try await matches("customers keep double-booking the same slot and our calendar spreadsheet is chaos", on: app)
            // assert
            #expect(reply.semantic)
            #expect(reply.matches.first?.member.name == "Dana Builder")
            let reasons = reply.matches.first?.reasons ?? []
            #expect(reasons.contains { $0.kind == "niche" && $0.text.hasPrefix("Works in Web application development") }
                    || reasons.contains { $0.kind == "sentence" && $0.text.contains("booking and scheduling systems") })
            #expect(reasons.contains { $0.kind == "availability" })
            let taxes = try await matches("my receipts are in a shoebox and the tax deadline is next week", on: app)
            #expect(taxes.matches.first?.member.name == "Bea Books")
        }
    }

    @Test("away members are not suggested; a city keeps others out unless remote is fine",
          .enabled(if: TestModel.runs, "the model is not fetched (guild model fetch)"))
    func availabilityAndPlace() async throws {
        try TestModel.require()
        try await withGuild { app, _ in
            try await Self.network(on: app)
            try await Profile.make(name: "Away Lens", niches: ["real estate photography"], bio: "Listing photos and drone shots for agents.",
                                   availability: .away, on: app)
            try await Profile.make(name: "Remote Lens", niches: ["real estate photography"], bio: "Drone shots of houses for sale.",
                                   city: "Leeds, UK", remote: true, on: app)
            try await embedQueued(on: app)
            let need = "photos of the house we are selling, from the air too"
            let everyone = try await matches(need, on: app).matches.map(\.member.name)
            #expect(everyone.contains("Pat Lens") && everyone.contains("Remote Lens"))
            #expect(!everyone.contains("Away Lens"))
            #expect(try await matches(need, city: "denver", on: app).matches.map(\.member.name) == ["Pat Lens"])
            let remoteOK = try await matches(need, city: "denver", remote: true, on: app).matches.map(\.member.name)
            #expect(Set(remoteOK) == ["Pat Lens", "Remote Lens"])
        }
    }

    @Test("after a profile edit, matching reads the new text",
          .enabled(if: TestModel.runs, "the model is not fetched (guild model fetch)"))
    func editedProfile() async throws {
        try TestModel.require()
        try await withGuild { app, _ in
            try await Self.network(on: app)
            let (user, _) = try await Profile.make(name: "Changing Career", niches: ["quilting"], bio: "I sew quilts by hand.", on: app)
            try await embedQueued(on: app)
            let need = "our restaurant needs a wine list that sells and staff who can explain it"
            #expect(try await matches(need, on: app).matches.first?.member.name != "Changing Career")
            // act: the member now does wine
            var input = ProfileInput()
            input.niches = [.init(name: "sommelier services", level: .expert)]
            input.bio = "I write wine lists for restaurants and train the floor staff to sell them."
            input.city = "Austin, TX"
            try await Profiles.save(input, for: user, on: app.db)
            try await embedQueued(on: app)
            // assert
            let after = try await matches(need, on: app)
            #expect(after.matches.first?.member.name == "Changing Career")
            #expect(after.matches.first?.reasons.contains { $0.text.contains("wine lists") || $0.text.contains("sommelier") } == true)
        }
    }

    @Test("members not embedded yet are still found, by words, after the embedded ones")
    func notYetEmbedded() async throws {
        try await withGuild { app, _ in
            try await Self.network(on: app)  // nothing embedded: the worker has not run
            let reply = try await matches("bookkeeping for my shop", on: app)
            #expect(reply.matches.first?.member.name == "Bea Books")
            #expect(reply.matches.first?.reasons.first?.kind == "words")
        }
    }

    @Test("without the model Guild matches by words, says so, and tells organizers why")
    func lexicalFallback() async throws {
        try await withGuild(configure: { $0.modelDirectory = "/nonexistent/model" }) { app, _ in
            try await Self.network(on: app)
            let reply = try await matches("bookkeeping", on: app)
            #expect(!reply.semantic)
            #expect(reply.matches.map(\.member.name) == ["Bea Books"])
            #expect(reply.matches.first?.reasons.first?.text.contains("bookkeeping") == true)
            // The page notes it for organizers, not for visitors.
            let visitor = try await app.testing().sendRequest(.GET, "/find?need=bookkeeping").body.string
            #expect(visitor.contains("Bea Books") && visitor.contains("Matched by the words you used"))
            #expect(!visitor.contains("Semantic matching is off"))
            _ = try await User.make(email: "org@example.com", role: .organizer, on: app)
            let browser = Browser(app)
            _ = try await browser.signIn(email: "org@example.com")
            #expect(try await browser.get("/find?need=bookkeeping").body.string.contains("Semantic matching is off"))
        }
    }

    @Test("bad needs get a clear answer naming the field, never a 500", arguments: [
        (#"{"need":""}"#, 422, "need"), (#"{"need":"   "}"#, 422, "need"),
        ("{\"need\":\"" + String(repeating: "a", count: 5000) + "\"}", 422, "need"), (#"{"need":"x","limit":0}"#, 422, "limit"),
        (#"{"need":"x","limit":51}"#, 422, "limit"), ("{\"need\":\"x\",\"city\":\"" + String(repeating: "c", count: 101) + "\"}", 422, "city"),
        (#"{"city":"Austin"}"#, 400, nil), ("not json", 400, nil),
    ] as [(String, Int, String?)])
    func badNeeds(body: String, status: Int, field: String?) async throws {
        try await withGuild { app, _ in
            let response = try await askForMatches(body, on: app)
            #expect(response.status.code == UInt(status), "\(body.prefix(40)) → \(response.body.string)")
            if let field { #expect(response.body.string.contains("\"field\":\"\(field)\"")) }
        }
    }

    @Test("a need in another script, or of punctuation alone, is an empty list with a suggestion")
    func otherScript() async throws {
        try await withGuild { app, _ in
            try await Self.network(on: app)
            let reply = try await matches("我们需要一个网站", on: app)
            #expect(reply.matches.isEmpty)
            #expect(reply.suggestion?.contains("English") == true)
            let punctuation = try await matches("?!… —", on: app)
            #expect(punctuation.matches.isEmpty)
            #expect(punctuation.suggestion?.contains("no words") == true)
        }
    }

    @Test("the /find page works without JavaScript: labelled fields, errors beside them, results as a list")
    func findPage() async throws {
        try await withGuild { app, _ in
            try await Self.network(on: app)
            let empty = try await app.testing().sendRequest(.GET, "/find")
            #expect(empty.status == .ok)
            #expect(empty.body.string.contains(#"<label for="need">"#) && empty.body.string.contains(#"<label for="need-city">"#))
            let bad = try await app.testing().sendRequest(.GET, "/find?need=" + String(repeating: "a", count: 1001))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains(#"aria-invalid="true""#) && bad.body.string.contains("at most 1000 characters"))
            let punctuation = try await app.testing().sendRequest(.GET, "/find?need=%3F%3F%3F")
            #expect(punctuation.status == .ok && punctuation.body.string.contains("no words in that need"))
            let found = try await app.testing().sendRequest(.GET, "/find?need=bookkeeping&city=austin")
            #expect(found.body.string.contains("Bea Books") && !found.body.string.contains("Pat Lens"))
        }
    }

    @Test("one address may ask only so many times a minute")
    func throttled() async throws {
        try await withGuild { app, _ in
            // The clock stands still: on a loaded machine three requests can take the 20 s one token refills in.
            let moment = Date()
            app.matchThrottle = MatchThrottle(perMinute: 3, clock: { moment })
            for _ in 0..<3 { #expect(try await askForMatches(#"{"need":"bookkeeping"}"#, on: app).status == .ok) }
            let fourth = try await askForMatches(#"{"need":"bookkeeping"}"#, on: app)
            #expect(fourth.status == .tooManyRequests)
            #expect(fourth.headers.first(name: "Retry-After").flatMap(Int.init) ?? 0 >= 1)
        }
    }

    @Test("a member's own words for a niche are kept as a piece beside the taxonomy's, and pieces go with the profile")
    func pieceRowsFollowTheProfile() async throws {
        try await withGuild { app, _ in
            // setup: a member whose own words differ from the niche's name keeps them as the label
            let (_, profile) = try await Profile.make(name: "Own Words", niches: ["Matterport tours", "real estate photography"], on: app)
            struct Row: Decodable { var kind: String; var text: String }
            let rows = try await app.db.sql.raw("""
                SELECT s.kind, t.text FROM match_sentences s JOIN match_texts t ON t.id = s.text_id
                WHERE s.profile_id = \(bind: try profile.requireID()) ORDER BY s.position
                """).all(decoding: Row.self)
            #expect(rows.first?.kind == "niche" && rows.first?.text == "Matterport tours")
            #expect(rows.contains { $0.kind == "niche_words" && $0.text.hasPrefix("Real estate photography:") })
            // deleting the member removes their pieces
            try await app.db.sql.raw("DELETE FROM profiles WHERE id = \(bind: try profile.requireID())").run()
            #expect(try await app.count("match_sentences") == 0)
        }
    }
}

@Suite("Matching: the embedding queue and each server's index")
struct MatchQueueTests {
    @Test("two workers claiming at once get disjoint texts, and a claimed text is not handed out again until its lease ends")
    func claimsAreDisjoint() async throws {
        try await withGuild { app, _ in
            // setup: 100 texts waiting
            _ = try await app.db.writeTransaction { db in
                try await MatchSentences.textIDs(Set((0..<100).map { "text number \($0)" }), on: db)
            }
            // act
            async let first = MatchQueueTests.claim(64, on: app)
            async let second = MatchQueueTests.claim(64, on: app)
            let (a, b) = try await (first, second)
            // assert
            #expect(Set(a).isDisjoint(with: Set(b)))
            #expect(Set(a + b).count == 100)
            #expect(try await MatchQueueTests.claim(64, on: app).isEmpty)
            #expect(try await MatchQueueTests.claim(64, at: Date().addingTimeInterval(MatchEmbedder.lease + 1), on: app).count == 64)
        }
    }

    static func claim(_ limit: Int, at now: Date = Date(), on app: Application) async throws -> [Int64] {
        try await MatchEmbedder.claim(limit: limit, now: now, on: app.db).map(\.id)
    }
}
