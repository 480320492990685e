import Fluent
import SafeMarkdown
import SQLKit
import Taxonomy
import Vapor

/// Inserts generated knowledge posts (`DemoPosts`) with their niches, comments, replies and helpful
/// marks, 500 posts to a write transaction, and indexes each batch for search in one statement.
enum DemoPostWriter {
    static let batchSize = 500

    struct Written: Sendable { var posts = 0, comments = 0, marks = 0 }

    static func write(perMember: Int, among members: [DemoReferralWriter.Member], seed: UInt64, now: Date = Date(),
                      app: Application) async throws -> Written {
        guard members.count > 1, perMember > 0 else { return Written() }
        struct NicheRow: Decodable { var id: UUID; var name: String }
        let niches = Dictionary(try await app.db.sql.raw("SELECT id, name FROM niches").all(decoding: NicheRow.self).map { ($0.name, $0.id) },
                                uniquingKeysWith: { first, _ in first })
        var generator = DemoPosts(seed: seed)
        let markdown = SafeMarkdown()
        let total = members.count * perMember
        var written = Written()
        for batchStart in stride(from: 0, to: total, by: batchSize) {
            var posts: [(id: UUID, row: DemoPosts.Post, niche: UUID?)] = []
            for index in batchStart..<min(batchStart + batchSize, total) {
                let author = index % members.count
                let post = generator.post(by: author, among: members.count, niche: members[author].niche)
                posts.append((UUID(), post, niches[members[author].niche]))
            }
            let batch = posts
            let counts = try await app.db.writeTransaction { db -> Written in
                var counts = Written()
                let firstSearchID = try await PostSearchIndex.nextSearchID(on: db)
                var rows: [SQLQueryString] = [], tags: [SQLQueryString] = [], comments: [SQLQueryString] = [], marks: [SQLQueryString] = []
                for (offset, entry) in batch.enumerated() {
                    let p = entry.row
                    // Posts without a name keep the day only, as real ones do.
                    let exact = now.addingTimeInterval(-Double(p.ageHours) * 3600)
                    let created = p.anonymous ? Calendar.utc.startOfDay(for: exact) : exact
                    var body = p.body, problem = "", approach = "", result = ""
                    if p.kind == "case_study" {
                        let sentences = p.body.split(separator: ".").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                        problem = (sentences.first ?? p.body) + "."
                        approach = sentences.dropFirst().dropLast().joined(separator: ". ") + "."
                        result = (sentences.last ?? "") + "."
                        body = ""
                    }
                    let html = p.kind == "case_study"
                        ? PostDraft(kind: p.kind, title: p.title, body: body, problem: problem, approach: approach, result: result, niches: [],
                                    visibility: "public", anonymous: false, referralID: nil).html(kind: .caseStudy)
                        : markdown.html(body)
                    let author = p.anonymous ? nil : members[p.author].userID
                    rows.append("""
                        (\(bind: entry.id), \(bind: author), \(bind: p.kind), \(bind: p.title), \(bind: body), \(bind: problem), \(bind: approach),
                        \(bind: result), \(bind: html), \(bind: p.membersOnly ? "members" : "public"), \(bind: created), \(bind: created), \(bind: false),
                        \(bind: firstSearchID.map { $0 + Int64(offset) }))
                        """)
                    if let niche = entry.niche { tags.append("(\(bind: entry.id), \(bind: niche), 1, \(bind: created))") }
                    var ids: [UUID] = []
                    for comment in p.comments {
                        let id = UUID()
                        ids.append(id)
                        let at = now.addingTimeInterval(-Double(comment.ageHours) * 3600)
                        comments.append("""
                            (\(bind: id), \(bind: entry.id), \(bind: comment.replyTo.map { ids[$0] }), \(bind: members[comment.author].userID),
                            \(bind: comment.body), \(bind: markdown.html(comment.body)), \(bind: at), \(bind: at), \(bind: false), \(bind: false))
                            """)
                    }
                    for mark in p.helpful {
                        marks.append("(\(bind: entry.id), \(bind: members[mark.member].userID), \(bind: created.addingTimeInterval(Double(mark.afterHours) * 3600)))")
                    }
                    counts.comments += p.comments.count
                    counts.marks += p.helpful.count
                }
                try await db.sql.raw("""
                    INSERT INTO posts (id, author_id, kind, title, body, problem, approach, result, body_html, visibility, created_at, updated_at,
                        edited, search_id) VALUES \(rows.joined(separator: ", "))
                    """).run()
                if !tags.isEmpty {
                    try await db.sql.raw("INSERT INTO post_niches (post_id, niche_id, position, created_at) VALUES \(tags.joined(separator: ", "))").run()
                }
                for chunk in stride(from: 0, to: comments.count, by: 1000).map({ Array(comments[$0..<min($0 + 1000, comments.count)]) }) {
                    try await db.sql.raw("""
                        INSERT INTO post_comments (id, post_id, parent_id, author_id, body, body_html, created_at, updated_at, edited, accepted)
                        VALUES \(chunk.joined(separator: ", "))
                        """).run()
                }
                for chunk in stride(from: 0, to: marks.count, by: 2000).map({ Array(marks[$0..<min($0 + 2000, marks.count)]) }) {
                    try await db.sql.raw("""
                        INSERT INTO post_helpful (post_id, user_id, created_at) VALUES \(chunk.joined(separator: ", ")) ON CONFLICT DO NOTHING
                        """).run()
                }
                try await PostSearchIndex.reindex(batch.map(\.id), on: db)
                counts.posts = batch.count
                return counts
            }
            written.posts += counts.posts
            written.comments += counts.comments
            written.marks += counts.marks
        }
        return written
    }
}

/// Generated blogrolls: one member in 25 names their own blog in their niche, one in 10 recommends
/// someone's blog in theirs with a sentence why, and each blog has three items as if the fetcher
/// had read them (example domains: `guild feeds refresh` would find nothing there).
enum DemoBlogWriter {
    static let titles = ["The {niche} Desk", "{niche} Weekly", "Field Notes on {niche}", "Small Shop {niche}", "{niche}, Plainly"]
    static let reasons = ["Practical, short and honest about mistakes.", "I send new clients here before our first call.",
                          "The clearest writing on pricing I have found.", "Real numbers from real jobs, every week.",
                          "Good on tools, better on saying no to the wrong client."]
    static let items = [("What I charge now, and why", "Three price rises in a year and no client lost."),
                        ("The kickoff call checklist", "Twelve questions that save a week of rework."),
                        ("Saying no to a good client", "When the job is not yours, refer it and keep the friend."),
                        ("A month of tracking every lead", "Most came from two peers; the ads brought one.")]

    @discardableResult
    static func write(among members: [DemoReferralWriter.Member], seed: UInt64, now: Date = Date(), app: Application) async throws -> Int {
        guard members.count >= 25 else { return 0 }
        struct NicheRow: Decodable { var id: UUID; var name: String }
        let niches = Dictionary(try await app.db.sql.raw("SELECT id, name FROM niches").all(decoding: NicheRow.self).map { ($0.name, $0.id) },
                                uniquingKeysWith: { first, _ in first })
        var random = SplitMix64(seed: seed &* 7_727 &+ 5)
        // The own blogs, by niche, so recommendations stay within a niche.
        var blogsByNiche: [String: [UUID]] = [:]
        var blogs: [SQLQueryString] = [], recommendations: [SQLQueryString] = [], tags: [SQLQueryString] = [], rows: [SQLQueryString] = []
        func recommend(_ blog: UUID, by member: DemoReferralWriter.Member, own: Bool, reason: String) {
            guard let niche = niches[member.niche] else { return }
            let id = UUID()
            recommendations.append("(\(bind: id), \(bind: blog), \(bind: member.userID), \(bind: own), \(bind: reason), \(bind: now))")
            tags.append("(\(bind: id), \(bind: niche))")
        }
        for (index, member) in members.enumerated() where index % 25 == 0 {
            let id = UUID()
            let title = titles[random.below(titles.count)].replacingOccurrences(of: "{niche}", with: member.niche)
            let host = "blog-\(index)-\(seed).example"
            blogs.append("""
                (\(bind: id), \(bind: "https://\(host)/feed.xml"), \(bind: "https://\(host)/"), \(bind: title), 0, \(bind: now), \(bind: now))
                """)
            recommend(id, by: member, own: true, reason: "My own blog.")
            blogsByNiche[member.niche, default: []].append(id)
            for item in 0..<3 {
                let (heading, summary) = items[(index + item) % items.count]
                rows.append("""
                    (\(bind: UUID()), \(bind: id), \(bind: "demo-\(item)"), \(bind: heading), '', \(bind: summary),
                    \(bind: now.addingTimeInterval(-Double(item * 5 + random.below(5) + 1) * 86_400)), \(bind: now))
                    """)
            }
        }
        for (index, member) in members.enumerated() where index % 10 == 3 {
            guard let choices = blogsByNiche[member.niche], !choices.isEmpty else { continue }
            recommend(choices[random.below(choices.count)], by: member, own: false, reason: reasons[random.below(reasons.count)])
        }
        let statements: [(prefix: SQLQueryString, rows: [SQLQueryString], chunk: Int)] = [
            ("INSERT INTO blogs (id, feed_url, site_url, title, failures, created_at, fetched_at) VALUES ", blogs, 1000),
            ("INSERT INTO blog_recommendations (id, blog_id, member_id, own, reason, created_at) VALUES ", recommendations, 1000),
            ("INSERT INTO blog_recommendation_niches (recommendation_id, niche_id) VALUES ", tags, 2000),
            ("INSERT INTO blog_items (id, blog_id, guid, title, link, summary, published_at, fetched_at) VALUES ", rows, 1000),
        ]
        try await app.db.writeTransaction(reportingGeneration: false) { db in
            for statement in statements {
                for start in stride(from: 0, to: statement.rows.count, by: statement.chunk) {
                    let chunk = statement.rows[start..<min(start + statement.chunk, statement.rows.count)]
                    try await db.sql.raw("\(statement.prefix)\(chunk.joined(separator: ", "))").run()
                }
            }
        }
        return recommendations.count
    }
}
