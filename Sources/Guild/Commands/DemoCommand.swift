import Taxonomy
import Fluent
import SafeMarkdown
import SQLKit
import Vapor

/// `guild demo --members N [--seed S] [--referrals R] [--posts P] [--circles C --events E]`: adds a
/// generated, deterministic network of members, and what they wrote and planned.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "members", help: "How many members to generate (default 1000).")
        var members: Int?
        @Option(name: "seed", help: "Seed of the generator; the same seed gives the same network (default 1).")
        var seed: Int?
        @Option(name: "referrals", help: "Referrals per generated member, among them (default 10; 0 for none).")
        var referrals: Int?
        @Option(name: "posts", help: "Knowledge posts per generated member, with comments, helpful marks and blogroll entries (default 2; 0 for none).")
        var posts: Int?
        @Option(name: "circles", help: "Circles of 50 generated members each (default 0).")
        var circles: Int?
        @Option(name: "events", help: "Event dates among those circles, with answers (default 25 a circle).")
        var events: Int?
    }

    var help: String { "Generates a realistic demo network of members, niches, bios and cities." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = signature.members ?? 1000
        guard (1...2_000_000).contains(count) else { throw AdminCommand.UsageError(description: "--members must be 1 to 2000000") }
        let perMember = signature.referrals ?? 10
        guard (0...100).contains(perMember) else { throw AdminCommand.UsageError(description: "--referrals must be 0 to 100") }
        let postsPerMember = signature.posts ?? 2
        guard (0...50).contains(postsPerMember) else { throw AdminCommand.UsageError(description: "--posts must be 0 to 50") }
        let circles = signature.circles ?? 0
        guard (0...100_000).contains(circles) else { throw AdminCommand.UsageError(description: "--circles must be 0 to 100000") }
        let events = signature.events ?? circles * 25
        guard (0...2_000_000).contains(events) else { throw AdminCommand.UsageError(description: "--events must be 0 to 2000000") }
        try await app.autoMigrate()
        let start = ContinuousClock.now
        let seed = UInt64(max(0, signature.seed ?? 1))
        let members = try await DemoNetworkWriter.write(members: count, seed: seed, app: app)
        let seconds = (ContinuousClock.now - start).components.seconds
        context.console.print("Added \(count) demo members in \(seconds) s.")
        if perMember > 0 {
            let started = ContinuousClock.now
            let written = try await DemoReferralWriter.write(perMember: perMember, among: members, seed: seed, app: app)
            context.console.print("Added \(written) demo referrals in \((ContinuousClock.now - started).components.seconds) s.")
        }
        if postsPerMember > 0 {
            let started = ContinuousClock.now
            let written = try await DemoPostWriter.write(perMember: postsPerMember, among: members, seed: seed, app: app)
            let blogroll = try await DemoBlogWriter.write(among: members, seed: seed, app: app)
            context.console.print("Added \(written.posts) demo posts with \(written.comments) comments and \(written.marks) helpful marks, and \(blogroll) blogroll entries, in \((ContinuousClock.now - started).components.seconds) s.")
        }
        if circles > 0 {
            let started = ContinuousClock.now
            let written = try await DemoScaleEventWriter.write(circles: circles, events: events, among: members, seed: seed, app: app)
            context.console.print("Added \(written.circles) demo circles with \(written.events) event dates and \(written.answers) answers in \((ContinuousClock.now - started).components.seconds) s.")
        }
    }
}

/// Inserts generated members in large batches: multi-row inserts inside one write transaction per batch.
enum DemoNetworkWriter {
    static let batchSize = 500

    /// Returns each new member's account and first niche, for `DemoReferralWriter`.
    @discardableResult
    static func write(members count: Int, seed: UInt64, app: Application) async throws -> [DemoReferralWriter.Member] {
        var written: [DemoReferralWriter.Member] = []
        written.reserveCapacity(count)
        var network = DemoNetwork(taxonomy: app.taxonomy, seed: seed)
        struct NicheRow: Decodable { var id: UUID; var slug: String; var name: String }
        let niches = Dictionary(uniqueKeysWithValues: try await app.db.sql.raw("SELECT id, slug, name FROM niches")
            .all(decoding: NicheRow.self).map { ($0.slug, $0) })
        let entries = app.taxonomy.allNiches
        let offset = try await User.query(on: app.db).count()
        let now = Date()
        let markdown = SafeMarkdown()
        for batchStart in stride(from: 0, to: count, by: batchSize) {
            let numbers = (batchStart..<min(batchStart + batchSize, count)).map { $0 + offset }
            let members = numbers.map { network.member($0) }
            let userIDs = numbers.map { _ in UUID() }, profileIDs = numbers.map { _ in UUID() }
            for (member, id) in zip(members, userIDs) {
                written.append(.init(userID: id, niche: member.niches.first.map { entries[$0.index].name } ?? "their trade"))
            }
            try await app.db.writeTransaction { db in
                let searchIDs = try await MemberSearchIndex.nextSearchIDs(numbers.count, on: db)
                let users = zip(members, userIDs).map { member, id -> SQLQueryString in
                    "(\(bind: id), \(bind: member.name), \(bind: member.email), NULL, 'member', \(bind: now), \(bind: now))"
                }
                try await db.sql.raw("INSERT INTO users (id, name, email, password_hash, role, created_at, updated_at) VALUES \(users.joined(separator: ", "))").run()
                var links: [SQLQueryString] = [], tags: [String] = []
                for (i, member) in members.enumerated() {
                    var listed = ProfileTags()
                    for (position, niche) in member.niches.enumerated() {
                        guard let row = niches[entries[niche.index].slug] else { continue }
                        let level = NicheLevel.allCases[niche.level].rawValue
                        links.append("(\(bind: profileIDs[i]), \(bind: row.id), \(bind: level), \(literal: position + 1))")
                        listed.niches.append(NicheTag(slug: row.slug, name: row.name, level: level))
                    }
                    // Written with the row, so the reindex below need not rewrite 100,000 profiles.
                    tags.append(try listed.encoded())
                }
                let profiles = members.indices.map { i -> SQLQueryString in
                    let m = members[i]
                    let slug = Slug.make(m.name) + "-\(numbers[i])"
                    return "(\(bind: profileIDs[i]), \(bind: userIDs[i]), \(bind: slug), \(bind: m.business), \(bind: m.headline), \(bind: m.bio), \(bind: markdown.html(m.bio)), \(bind: m.website), '', \(bind: m.city), \(bind: m.city.lowercased()), \(bind: m.remote), \(bind: m.availability == 0 ? "available" : "busy"), \(bind: searchIDs[i]), \(bind: tags[i]), \(bind: now), \(bind: now))"
                }
                try await db.sql.raw("""
                    INSERT INTO profiles (id, user_id, slug, business, headline, bio, bio_html, website, blog_url, city, city_key, remote,
                    availability, search_id, niche_tags, created_at, updated_at) VALUES \(profiles.joined(separator: ", "))
                    """).run()
                try await db.sql.raw("INSERT INTO profile_niches (profile_id, niche_id, level, position) VALUES \(links.joined(separator: ", "))").run()
                try await MemberIndexes.refresh(profileIDs, storingTags: false, on: db)
            }
        }
        // Fresh statistics, or the query planners guess badly after a bulk load.
        try await app.db.sql.raw("ANALYZE").run()
        return written
    }
}

/// Generated referrals among generated members (`DemoReferrals`), with their history, written in
/// bulk: no notifications and no emails (the addresses are made up).
enum DemoReferralWriter {
    struct Member: Sendable {
        var userID: UUID
        var niche: String
    }

    static let batchSize = 1000

    static func write(perMember: Int, among members: [Member], seed: UInt64, now: Date = Date(), app: Application) async throws -> Int {
        guard members.count > 1, perMember > 0 else { return 0 }
        var generator = DemoReferrals(seed: seed)
        let total = members.count * perMember
        for batchStart in stride(from: 0, to: total, by: batchSize) {
            var referrals: [SQLQueryString] = [], events: [SQLQueryString] = []
            for _ in batchStart..<min(batchStart + batchSize, total) {
                let r = generator.referral(among: members.count) { members[$0].niche }
                let id = UUID(), giver = members[r.giver].userID, receiver = members[r.receiver].userID
                let created = now.addingTimeInterval(-Double(r.ageHours) * 3600)
                let times = r.steps.indices.map { min(now, created.addingTimeInterval(Double($0 * r.stepHours) * 3600)) }
                let status = r.steps.last ?? "new"
                referrals.append("""
                    (\(bind: id), \(bind: giver), \(bind: receiver), \(bind: r.clientName), \(bind: r.clientEmail), '', \(bind: r.need),
                    '', \(bind: r.urgency), \(bind: status), \(bind: r.reason), \(bind: r.value?.minorUnits), \(bind: r.value?.currency),
                    \(bind: created), \(bind: times.last ?? created))
                    """)
                for (index, step) in r.steps.enumerated() {
                    let last = index == r.steps.count - 1
                    events.append("""
                        (\(bind: UUID()), \(bind: id), \(bind: index == 0 ? giver : receiver), \(bind: index == 0 ? nil : r.steps[index - 1]),
                        \(bind: step), \(bind: last ? r.reason : nil), \(bind: last ? r.value?.minorUnits : nil),
                        \(bind: last ? r.value?.currency : nil), \(bind: times[index]))
                        """)
                }
            }
            let rows = referrals, history = events
            try await app.db.writeTransaction { db in
                try await db.sql.raw("""
                    INSERT INTO referrals (id, giver_id, receiver_id, client_name, client_email, client_phone, need, note, urgency, status,
                        reason, value_minor, currency, created_at, updated_at) VALUES \(rows.joined(separator: ", "))
                    """).run()
                for chunk in stride(from: 0, to: history.count, by: 2000).map({ Array(history[$0..<min($0 + 2000, history.count)]) }) {
                    try await db.sql.raw("""
                        INSERT INTO referral_events (id, referral_id, actor_id, from_status, to_status, reason, value_minor, currency, at)
                        VALUES \(chunk.joined(separator: ", "))
                        """).run()
                }
            }
        }
        try await app.db.sql.raw("ANALYZE").run()
        return total
    }
}
