import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("The match index follows the profile row")
struct MatchFactsTests {
    @Test("a change of availability, city or remote reaches the index by trigger, whoever writes the row; an unrelated write does not move it")
    func factsFollowTheRow() async throws {
        try await withGuild { app, _ in
            let (_, profile) = try await Profile.make(name: "Fay Facts", niches: ["bookkeeping"], city: "Austin, TX", on: app)
            let id = try profile.requireID()
            try await app.matchIndex.refresh(on: app.db)
            let before = try #require(app.matchIndex.snapshot.member(id))
            #expect(!before.away && !before.remote)
            let version = app.matchIndex.snapshot.version
            // act: written behind the app's back, as another server, a script or a future feature might
            try await app.db.sql.raw("UPDATE profiles SET availability = 'away', remote = \(bind: true) WHERE id = \(bind: id)").run()
            try await app.matchIndex.refresh(on: app.db)
            // assert
            let after = try #require(app.matchIndex.snapshot.member(id))
            #expect(after.away && after.remote)
            #expect(app.matchIndex.snapshot.version > version)
            let settled = app.matchIndex.snapshot.version
            try await app.db.sql.raw("UPDATE profiles SET headline = 'Books' WHERE id = \(bind: id)").run()
            try await app.db.sql.raw("UPDATE profiles SET remote = \(bind: true) WHERE id = \(bind: id)").run()
            try await app.matchIndex.refresh(on: app.db)
            #expect(app.matchIndex.snapshot.version == settled)
        }
    }
}
