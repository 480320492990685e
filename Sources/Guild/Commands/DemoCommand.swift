import Taxonomy
import Fluent
import SafeMarkdown
import SQLKit
import Vapor

/// `guild demo --members N [--seed S]`: adds a generated, deterministic network of members.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "members", help: "How many members to generate (default 1000).")
        var members: Int?
        @Option(name: "seed", help: "Seed of the generator; the same seed gives the same network (default 1).")
        var seed: Int?
    }

    var help: String { "Generates a realistic demo network of members, niches, bios and cities." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = signature.members ?? 1000
        guard (1...2_000_000).contains(count) else { throw AdminCommand.UsageError(description: "--members must be 1 to 2000000") }
        try await app.autoMigrate()
        let start = ContinuousClock.now
        try await DemoNetworkWriter.write(members: count, seed: UInt64(max(0, signature.seed ?? 1)), app: app)
        let seconds = (ContinuousClock.now - start).components.seconds
        context.console.print("Added \(count) demo members in \(seconds) s.")
    }
}

/// Inserts generated members in large batches: multi-row inserts inside one write transaction per batch.
enum DemoNetworkWriter {
    static let batchSize = 500

    static func write(members count: Int, seed: UInt64, app: Application) async throws {
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
    }
}
