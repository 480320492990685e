import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Profile cache and directory generation")
struct ProfileCacheTests {
    private func headline(_ slug: String, on app: Application) async throws -> String? {
        let response = try await app.testing().sendRequest(.GET, "/api/v1/members/\(slug)")
        guard response.status == .ok else { return nil }
        struct Member: Decodable { var headline: String }
        return try JSONDecoder().decode(Member.self, from: response.body).headline
    }

    /// A write hidden from the caches: the trigger's bump is undone, so no cache can know. Only a
    /// test does this; it proves a page came from the cache.
    private func sneakHeadline(_ text: String, slug: String, on app: Application) async throws {
        let before = try await CacheGeneration.read(on: app.db)
        try await app.db.sql.raw("UPDATE profiles SET headline = \(bind: text) WHERE slug = \(bind: slug)").run()
        try await app.db.sql.raw("UPDATE search_state SET generation = \(bind: before) WHERE id = 1").run()
    }

    private func waitUntil(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<100 where try await !condition() {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("a profile is served from the cache until the directory changes, on the page and in the API")
    func servedUntilChanged() async throws {
        try await withGuild { app, _ in
            let (user, profile) = try await Profile.make(name: "Cara Cached", niches: ["bookkeeping"], headline: "First", on: app)
            #expect(try await headline(profile.slug, on: app) == "First")
            try await sneakHeadline("Sneaked", slug: profile.slug, on: app)
            // Proof the cache is used: the sneaked change is not seen, on the page either.
            #expect(try await headline(profile.slug, on: app) == "First")
            #expect(try await app.testing().sendRequest(.GET, "/m/\(profile.slug)").body.string.contains("First"))
            // An edit through the index is seen at once.
            var input = try await Profiles.input(from: profile, on: app.db)
            input.headline = "Second"
            _ = try await Profiles.save(input, for: user, on: app.db)
            #expect(try await headline(profile.slug, on: app) == "Second")
            #expect(try await app.testing().sendRequest(.GET, "/m/\(profile.slug)").body.string.contains("Second"))
            // A slug nobody has yet is cached as missing only until somebody takes it.
            #expect(try await headline("dana-later", on: app) == nil)
            _ = try await Profile.make(name: "Dana Later", niches: ["payroll"], headline: "Here now", on: app)
            #expect(try await headline("dana-later", on: app) == "Here now")
        }
    }

    @Test("niche pages and the niche index are served from the cache until the directory changes")
    func nichePages() async throws {
        try await withGuild { app, _ in
            let (user, profile) = try await Profile.make(name: "Nina Niche", niches: ["bookkeeping"], headline: "First", on: app)
            func page(_ path: String) async throws -> String { try await app.testing().sendRequest(.GET, path).body.string }
            #expect(try await page("/n/bookkeeping").contains("Nina Niche"))
            #expect(try await page("/api/v1/niches").contains(#""members":1,"name":"Bookkeeping""#))
            // Proof the cache is used: a change hidden from it is not seen.
            let before = try await CacheGeneration.read(on: app.db)
            try await app.db.sql.raw("UPDATE users SET name = 'Hidden Rename' WHERE id = \(bind: try user.requireID())").run()
            try await app.db.sql.raw("UPDATE search_state SET generation = \(bind: before) WHERE id = 1").run()
            #expect(try await page("/n/bookkeeping").contains("Nina Niche"))
            // Any real change is seen at once, on the page, the API and the index.
            var input = try await Profiles.input(from: profile, on: app.db)
            input.niches.append(.init(name: "payroll services", level: .learning))
            _ = try await Profiles.save(input, for: user, on: app.db)
            #expect(try await page("/n/bookkeeping").contains("Hidden Rename"))
            #expect(try await page("/api/v1/niches/payroll-services").contains("Hidden Rename"))
            #expect(try await page("/api/v1/niches").contains(#""members":1,"name":"Payroll services""#))
        }
    }

    @Test("a cached niche page keeps a name typed across two lines whole, in the title and the page")
    func nicheNameWithLineBreak() async throws {
        try await withGuild { app, _ in
            try await Profile.make(name: "Kai Kelp", niches: ["kelp\ndyeing"], on: app)
            let slug = try #require(try await NicheResolver.find("kelp dyeing", on: app.db)?.slug)
            let page = try await app.testing().sendRequest(.GET, "/n/\(slug)").body.string
            #expect(page.contains("<title>kelp\ndyeing"))
            #expect(!page.contains("dyeing\n<p class=\"crumbs\">"))
            #expect(page.contains("Kai Kelp"))
        }
    }

    @Test("GUILD_PROFILE_CACHE=0 reads every profile from the database")
    func off() async throws {
        try await withGuild(configure: { $0.profileCacheSize = 0 }) { app, _ in
            let (_, profile) = try await Profile.make(name: "Nora Nocache", niches: ["bookkeeping"], headline: "First", on: app)
            #expect(try await headline(profile.slug, on: app) == "First")
            try await sneakHeadline("Sneaked", slug: profile.slug, on: app)
            #expect(try await headline(profile.slug, on: app) == "Sneaked")
        }
    }

    @Test("PostgreSQL: this server's own write is seen by its next read, before its NOTIFY arrives", .enabled(if: TestDatabase.isPostgres))
    func ownWrites() async throws {
        try await withGuild { app, _ in
            struct Schema: Decodable { var name: String }
            let schema = try #require(try await app.db.sql.raw("SELECT current_schema() AS name").first(decoding: Schema.self))
            let (user, profile) = try await Profile.make(name: "Owen Own", niches: ["bookkeeping"], headline: "First", on: app)
            // A listener that heard the current generation and will hear nothing more (its NOTIFY "late").
            let generation = CacheGeneration()
            generation.hear(try await CacheGeneration.read(on: app.db), on: "guild_directory_" + schema.name)
            let cache = ProfileCache(capacity: 10, generation: generation)
            func cachedHeadline() async throws -> String? {
                let detail = try await cache.value(for: profile.slug, on: app.db) {
                    try await ProfileDetail.query(slug: profile.slug, on: app.db)
                }
                return detail?.headline
            }
            #expect(try await cachedHeadline() == "First")
            try await sneakHeadline("Sneaked", slug: profile.slug, on: app)
            #expect(try await cachedHeadline() == "First")
            var input = try await Profiles.input(from: profile, on: app.db)
            input.headline = "Second"
            try await CacheGeneration.$local.withValue([generation]) {
                _ = try await Profiles.save(input, for: user, on: app.db)
            }
            #expect(try await cachedHeadline() == "Second")
        }
    }

    @Test("PostgreSQL: the listener's heartbeat picks up a change it was not told about", .enabled(if: TestDatabase.isPostgres))
    func heartbeat() async throws {
        try await withGuild { app, _ in
            let generation = app.directoryGeneration
            try GenerationNotifications.start(app, heartbeat: .milliseconds(100))
            try await waitUntil { generation.isListening }
            let current = try await generation.current(on: app.db)
            try await app.db.sql.raw("UPDATE search_state SET generation = generation + 1 WHERE id = 1").run()
            try await waitUntil { try await generation.current(on: app.db) == current + 1 }
            #expect(try await generation.current(on: app.db) == current + 1)
        }
    }

    @Test("PostgreSQL: generations arrive by NOTIFY, other servers' writes are heard, this server's own count at once", .enabled(if: TestDatabase.isPostgres))
    func notifications() async throws {
        try await withGuild { app, _ in
            let generation = app.directoryGeneration
            let listener = try #require(try GenerationNotifications.start(app, heartbeat: .seconds(3600)))
            try await waitUntil { generation.isListening }
            #expect(generation.isListening)

            let (user, profile) = try await Profile.make(name: "Lena Listener", niches: ["bookkeeping"], headline: "First", on: app)
            #expect(try await headline(profile.slug, on: app) == "First")
            var input = try await Profiles.input(from: profile, on: app.db)
            input.headline = "Second"
            // As inside any request (CacheGenerationMiddleware): the write reports its generation.
            try await CacheGeneration.$local.withValue([generation]) {
                _ = try await Profiles.save(input, for: user, on: app.db)
            }
            #expect(try await headline(profile.slug, on: app) == "Second")

            // Once the notification is heard, no read of the generation goes to the database:
            // a bump nobody announces is not noticed…
            let current = try await CacheGeneration.read(on: app.db)
            try await waitUntil { try await generation.current(on: app.db) == current }
            try await app.db.sql.raw("UPDATE search_state SET generation = generation + 1 WHERE id = 1").run()
            #expect(try await generation.current(on: app.db) == current)
            // …and a write by another server (its trigger announces it; no bookkeeping of this one) is.
            try await app.db.sql.raw("UPDATE profiles SET headline = 'Third' WHERE slug = \(bind: profile.slug)").run()
            try await waitUntil { try await generation.current(on: app.db) == current + 2 }
            #expect(try await generation.current(on: app.db) == current + 2)
            #expect(try await headline(profile.slug, on: app) == "Third")

            // Without the listener, every read goes to the database again.
            await listener.stop()
            #expect(!generation.isListening)
            try await app.db.sql.raw("UPDATE search_state SET generation = generation + 1 WHERE id = 1").run()
            #expect(try await generation.current(on: app.db) == current + 3)
        }
    }
}
