import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// The one cache rule: whatever a cached page reads can invalidate it. Every table the cached
/// computations read must carry a trigger that moves the directory generation.
@Suite("The cache rule")
struct CacheRuleTests {
    /// Tables a cached page may read without a trigger, and why.
    static let exempt: [String: String] = [
        "member_search": "derived: rebuilt only inside the transaction that changed the rows it indexes",
        "member_search_terms": "derived: FTS5's own vocabulary of member_search",
        "member_search_vectors": "derived: rebuilt only inside the transaction that changed the rows it indexes",
        "search_state": "the generation itself",
    ]

    /// Every computation whose result a `GenerationCache` keeps. A new cache adds its computations here.
    static func cachedReads(on db: any Database) async throws {
        _ = try await ProfileDetail.query(slug: "cara-cached", on: db)
        _ = try await ProfileDetail.query(slug: "nobody-here", on: db)
        for query in [DirectoryQuery(q: "bookkeeping"), DirectoryQuery(q: "bookeeping"), DirectoryQuery(q: "zzqx nothing"),
                      DirectoryQuery(q: "", niche: "bookkeeping"), DirectoryQuery(q: "payroll", city: "austin", remote: true, available: true),
                      DirectoryQuery(q: "")] {
            _ = try await DirectorySearch.uncachedSearch(query, on: db)
        }
        _ = try await NicheDetail.query(slug: "bookkeeping", page: 1, on: db)
        _ = try await NicheDetail.query(slug: "nobody-here", page: 1, on: db)
        _ = try await NicheIndex.query(on: db)
        _ = try await Testimonials.about(UUID(), on: db)  // the profile page's testimonials fragment
        // The profile page's cover fragment: whether the member is out, who covers, how many they covered.
        _ = try await CoverProfile.facts(UUID(), on: db)
        _ = try await CoverBackups.available(for: UUID(), on: db)
    }

    @Test("every table a cached page reads has a trigger that moves the generation")
    func sourcesHaveTriggers() async throws {
        try await withGuild { app, _ in
            // setup
            try await Profile.make(name: "Cara Cached", niches: ["bookkeeping", "payroll"], on: app)
            let recorder = QueryRecorder(attachingTo: app)
            // act
            var statements = try await recorder.statements { try await Self.cachedReads(on: app.db) }
            // PostgreSQL reads profiles through a prepared statement, which does not log: add its SQL.
            statements.append(ProfileDetail.select)
            // assert
            let read = QueryRecorder.tables(in: statements)
            #expect(read.isSuperset(of: ["profiles", "users", "profile_niches", "niches", "niche_aliases", "niche_categories"]))
            let triggered = try await Self.triggeredTables(on: app.db)
            let missing = read.subtracting(triggered).subtracting(Self.exempt.keys)
            #expect(missing.isEmpty, "cached pages read \(missing.sorted()) but no trigger moves the generation on their writes")
        }
    }

    @Test("a write to any watched table moves the generation, whoever makes it; a write that changes nothing does not")
    func everyWriteMoves() async throws {
        try await withGuild { app, _ in
            let (user, profile) = try await Profile.make(name: "Wes Watched", niches: ["bookkeeping"], on: app)
            let writes: [SQLQueryString] = [
                "UPDATE profiles SET headline = 'x' WHERE id = \(bind: try profile.requireID())",
                "UPDATE users SET name = 'Wes Renamed' WHERE id = \(bind: try user.requireID())",
                "UPDATE niches SET client_words = 'ledgers' WHERE slug = 'bookkeeping'",
                "UPDATE niche_categories SET name = name || '' WHERE position = 0",
                "DELETE FROM niche_aliases WHERE term = 'xero'",
                "DELETE FROM profile_niches WHERE profile_id = \(bind: try profile.requireID())",
            ]
            for write in writes {
                let before = try await CacheGeneration.read(on: app.db)
                try await app.db.sql.raw(write).run()
                #expect(try await CacheGeneration.read(on: app.db) > before, "\(write)")
            }
            let before = try await CacheGeneration.read(on: app.db)
            try await app.db.sql.raw("UPDATE users SET role = 'organizer' WHERE id = \(bind: try user.requireID())").run()
            try await app.db.sql.raw("UPDATE niches SET name = 'x' WHERE slug = 'no-such-niche'").run()
            #expect(try await CacheGeneration.read(on: app.db) == before)
        }
    }

    // MARK: Knowledge

    static let knowledgeExempt: [String: String] = [
        "post_search": "derived: rebuilt only inside the transaction that changed the post, its niches or its comments",
        "post_search_vectors": "derived: rebuilt only inside the transaction that changed the post, its niches or its comments",
        "search_state": "the generation itself",
    ]

    /// Every computation a `PostSearchCache` keeps.
    static func cachedKnowledgeReads(on db: any Database) async throws {
        for query in [PostQuery(q: "invoice"), PostQuery(q: "invoice zebra", kind: .tip, niche: "bookkeeping", membersOnlyToo: true),
                      PostQuery(order: .helpful), PostQuery(niche: "bookkeeping", order: .helpful, page: 2)] {
            _ = try await PostSearch.uncachedHits(query, on: db)
        }
    }

    @Test("every table a cached knowledge page reads has a trigger that moves the knowledge generation")
    func knowledgeSourcesHaveTriggers() async throws {
        try await withGuild { app, _ in
            let (user, _) = try await Profile.make(name: "Cara Cached", niches: ["bookkeeping"], on: app)
            _ = try await Posts.create(PostDraft(kind: "tip", title: "Invoice early", body: "Same day.", problem: "", approach: "", result: "",
                                                 niches: ["bookkeeping"], visibility: "public", anonymous: false, referralID: nil), by: user, on: app.db)
            let recorder = QueryRecorder(attachingTo: app)
            let read = QueryRecorder.tables(in: try await recorder.statements { try await Self.cachedKnowledgeReads(on: app.db) })
            #expect(read.isSuperset(of: ["posts", "post_helpful", "post_niches", "niches"]))
            let missing = read.subtracting(try await Self.triggeredTables("knowledge", on: app.db)).subtracting(Self.knowledgeExempt.keys)
            #expect(missing.isEmpty, "cached knowledge pages read \(missing.sorted()) but no trigger moves the knowledge generation")
        }
    }

    @Test("a post, a comment or a helpful mark moves the knowledge generation and leaves the directory's alone")
    func knowledgeWritesMoveTheirOwnGeneration() async throws {
        try await withGuild { app, _ in
            let (user, _) = try await Profile.make(name: "Wes Watched", niches: ["bookkeeping"], on: app)
            let (other, _) = try await Profile.make(name: "Olga Other", niches: ["bookkeeping"], on: app)
            func generations() async throws -> (Int64, Int64) {
                (try await CacheGeneration.read(.directory, on: app.db), try await CacheGeneration.read(.knowledge, on: app.db))
            }
            var (directory, knowledge) = try await generations()
            let post = try await Posts.create(PostDraft(kind: "tip", title: "Invoice early", body: "Same day.", problem: "", approach: "",
                                                        result: "", niches: ["bookkeeping"], visibility: "public", anonymous: false,
                                                        referralID: nil), by: user, on: app.db)
            let steps: [(String, () async throws -> Void)] = [
                ("comment", { _ = try await Comments.create(on: post, parent: nil, body: "Yes", by: other, baseURL: "", on: app.db) }),
                ("helpful", { _ = try await Comments.markHelpful(post, by: other, on: app.db) }),
                ("hide", { try await app.db.sql.raw("UPDATE posts SET hidden_at = \(bind: Date()) WHERE id = \(bind: post)").run() }),
            ]
            for (name, step) in [("post", {})] + steps {
                try await step()
                let (nowDirectory, nowKnowledge) = try await generations()
                #expect(nowKnowledge > knowledge, "\(name)")
                #expect(nowDirectory == directory, "\(name)")
                (directory, knowledge) = (nowDirectory, nowKnowledge)
            }
        }
    }

    // MARK: Ledger (the organizer report)

    @Test("every table the organizer report reads has a trigger that moves the ledger generation")
    func ledgerSourcesHaveTriggers() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            _ = try await Referrals.create(ledgerDraft(to: cast.receiverSlug), by: cast.giver, baseURL: "http://x", on: app.db)
            let recorder = QueryRecorder(attachingTo: app)
            let read = QueryRecorder.tables(in: try await recorder.statements { _ = try await OrganizerReport.query(on: app.db) })
            #expect(read.isSuperset(of: ["referrals", "users", "profiles", "profile_niches", "niches"]))
            let missing = read.subtracting(try await Self.triggeredTables("ledger", on: app.db)).subtracting(["lead_niche"])
            #expect(missing.isEmpty, "the organizer report reads \(missing.sorted()) but no trigger moves the ledger generation")
        }
    }

    @Test("the organizer report is computed again after a referral, a deleted referral, a renamed member or niche, and a new month; not otherwise")
    func organizerReportFollowsTheLedger() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let cache = app.organizerReports
            let id = try await Referrals.create(ledgerDraft(to: cast.receiverSlug), by: cast.giver, baseURL: "http://x", on: app.db)
            let first = try #require(try await cache.report(on: app.db))
            #expect(first.report.total == 1 && first.report.giveOnly.map(\.name) == ["Gina Giver"])
            // nothing changed: the same entry, not computed again
            #expect(try await cache.report(on: app.db)?.computedAt == first.computedAt)
            // a member renamed (was invisible to "newest updated_at")
            try await app.db.sql.raw("UPDATE users SET name = 'Gina Renamed' WHERE id = \(bind: cast.giver.requireID())").run()
            #expect(try await cache.report(on: app.db)?.report.giveOnly.map(\.name) == ["Gina Renamed"])
            // a niche renamed: the pairs name it
            try await app.db.sql.raw("UPDATE niches SET name = 'Books' WHERE slug = 'bookkeeping'").run()
            #expect(try await cache.report(on: app.db)?.report.pairs.map(\.to) == ["Books"])
            // a referral deleted (was invisible too: the newest updated_at did not move)
            try await app.db.sql.raw("DELETE FROM referrals WHERE id = \(bind: id)").run()
            #expect(try await cache.report(on: app.db)?.report.total == 0)
            // a write elsewhere does not move it
            let entry = try #require(try await cache.report(on: app.db))
            try await app.db.sql.raw("UPDATE users SET role = 'organizer' WHERE id = \(bind: cast.other.requireID())").run()
            #expect(try await cache.report(on: app.db)?.computedAt == entry.computedAt)
            // a new month: computed again without any write
            let nextMonth = Date().addingTimeInterval(32 * 86_400)
            #expect(try await cache.report(on: app.db, now: nextMonth)?.month == OrganizerReportCache.month(nextMonth))
        }
    }

    func ledgerDraft(to slug: String) -> ReferralDraft {
        ReferralDraft(receiverSlug: slug, clientName: "Cleo", clientEmail: "cleo@example.com", clientPhone: "", need: "Books before tax season",
                      note: "", urgency: "whenever", consent: true)
    }

    static func triggeredTables(_ scope: String = "directory", on db: any Database) async throws -> Set<String> {
        struct Row: Decodable { var name: String }
        let sql: SQLQueryString = db.isSQLite
            ? "SELECT DISTINCT tbl_name AS name FROM sqlite_master WHERE type = 'trigger' AND name LIKE \(bind: scope + "_generation_%")"
            : """
              SELECT DISTINCT event_object_table AS name FROM information_schema.triggers
              WHERE trigger_name LIKE \(bind: scope + "_generation_%") AND trigger_schema = current_schema()
              """
        return Set(try await db.sql.raw(sql).all(decoding: Row.self).map(\.name))
    }
}

@Suite("reportingGeneration: false is checked")
struct GenerationReportCheckTests {
    @Test("a transaction that says it moves no generation and moves one fails (debug builds, both databases); one that keeps its word passes")
    func brokenPromiseFails() async throws {
        try await withGuild { app, _ in
            let (user, _) = try await Profile.make(name: "Pia Promise", niches: ["bookkeeping"], on: app)
            let id = try user.requireID()
            await #expect(throws: GenerationNotReported.self) {
                try await app.db.writeTransaction(reportingGeneration: false) { db in
                    try await db.sql.raw("UPDATE users SET name = 'Pia Broken' WHERE id = \(bind: id)").run()
                }
            }
            // rolled back: the name is unchanged
            struct Name: Decodable { var name: String }
            #expect(try await app.db.sql.raw("SELECT name FROM users WHERE id = \(bind: id)").first(decoding: Name.self)?.name == "Pia Promise")
            try await app.db.writeTransaction(reportingGeneration: false) { db in
                try await db.sql.raw("UPDATE users SET role = 'organizer' WHERE id = \(bind: id)").run()
            }
        }
    }
}
