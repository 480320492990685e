import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// The people of `LedgerCast`, a week on Guild (a first day's limits have a test of their own).
private func seasoned(_ app: Application) async throws -> LedgerCast {
    let cast = try await LedgerCast.make(app)
    let week = Date().addingTimeInterval(-7 * 86_400)
    try await app.db.sql.raw("UPDATE users SET created_at = \(bind: week)").run()
    for user in [cast.giver, cast.receiver, cast.other, cast.admin, cast.organizer] { user.createdAt = week }
    return cast
}

private func tip(_ title: String, body: String = "Invoice on the day you finish.", kind: PostKind = .tip, niches: [String] = ["bookkeeping"],
                 visibility: PostVisibility = .public, anonymous: Bool = false, by user: User, on app: Application) async throws -> UUID {
    try await Posts.create(PostDraft(kind: kind.rawValue, title: title, body: body, problem: "", approach: "", result: "", niches: niches,
                                     visibility: visibility.rawValue, anonymous: anonymous, referralID: nil), by: user, on: app.db)
}

private func comment(_ body: String, on post: UUID, parent: UUID? = nil, by user: User, now: Date = Date(), on app: Application) async throws -> UUID {
    try await Comments.create(on: post, parent: parent, body: body, by: user, baseURL: "http://localhost", now: now, on: app.db)
}

private func notifications(of user: User, on app: Application) async throws -> [String] {
    try await Notifications.list(try user.requireID(), on: app.db).map(\.title)
}

private func titles(_ query: PostQuery, on app: Application, cached: Bool = false) async throws -> [String] {
    let hits = try await PostSearch.hits(query, on: app.db, cache: cached ? app.postSearchCache : nil)
    return try await Posts.records(hits.ids, on: app.db).map(\.title)
}

@Suite("Knowledge: the conversation under a post")
struct ConversationTests {
    @Test("comments and one level of replies; the post's author and the comment's author are told, nobody about their own words")
    func threads() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await seasoned(app)
            let post = try await tip("Invoice on the day", by: cast.giver, on: app)
            // act
            let first = try await comment("Same-day invoices work for me too.", on: post, by: cast.receiver, on: app)
            let reply = try await comment("Which template do you use?", on: post, parent: first, by: cast.other, on: app)
            _ = try await comment("A reply to the reply joins the thread.", on: post, parent: reply, by: cast.giver, on: app)
            _ = try await comment("Thanks, all.", on: post, by: cast.giver, on: app)
            // assert
            let threads = try await Comments.threads(of: post, on: app.db)
            #expect(threads.map(\.comment.body) == ["Same-day invoices work for me too.", "Thanks, all."])
            #expect(threads[0].replies.map(\.body) == ["Which template do you use?", "A reply to the reply joins the thread."])
            #expect(threads[0].replies.allSatisfy { $0.parent_id == first })
            #expect(try await notifications(of: cast.giver, on: app) == [
                "Olga Other commented on “Invoice on the day”", "Rob Receiver commented on “Invoice on the day”"])
            #expect(try await notifications(of: cast.receiver, on: app) == [
                "Gina Giver replied to your comment on “Invoice on the day”", "Olga Other replied to your comment on “Invoice on the day”"])
            #expect(try await notifications(of: cast.other, on: app).isEmpty)
            #expect(try await Posts.find(post, on: app.db)?.comments == 4)
        }
    }

    @Test("a post without a name tells nobody of its comments: there is nobody to tell")
    func anonymousPostNotifiesNobody() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let post = try await tip("The forty edits", kind: .horrorStory, anonymous: true, by: cast.giver, on: app)
            _ = try await comment("Take a deposit.", on: post, by: cast.other, on: app)
            #expect(try await notifications(of: cast.giver, on: app).isEmpty)
            struct Count: Decodable { var n: Int }
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM notifications").first(decoding: Count.self)?.n == 0)
        }
    }

    @Test("an edit in the first 15 minutes leaves no mark; a later one shows 'edited'; only the writer edits, an admin may delete")
    func editing() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let post = try await tip("Invoice on the day", by: cast.giver, on: app)
            let posted = Date().addingTimeInterval(-3600)
            let id = try await comment("First words", on: post, by: cast.other, now: posted, on: app)
            try await Comments.update(id, body: "Better words", by: cast.other, now: posted.addingTimeInterval(10 * 60), on: app.db)
            #expect(try await Comments.find(id, on: app.db)?.edited == false)
            try await Comments.update(id, body: "Best words", by: cast.other, now: posted.addingTimeInterval(20 * 60), on: app.db)
            let edited = try #require(try await Comments.find(id, on: app.db))
            #expect(edited.edited && edited.body == "Best words" && edited.body_html.contains("Best words"))
            await #expect(throws: PostsError.self) { try await Comments.update(id, body: "Mine now", by: cast.giver, on: app.db) }
            await #expect(throws: PostsError.self) { try await Comments.delete(id, by: cast.organizer, on: app.db) }
            await #expect(throws: PostsError.self) { try await Comments.update(id, body: "   ", by: cast.other, on: app.db) }
            try await Comments.delete(id, by: cast.admin, on: app.db)
            #expect(try await Comments.find(id, on: app.db) == nil)
        }
    }

    @Test("helpful: one mark per member, never on your own post, taken back on request")
    func helpful() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let post = try await tip("Invoice on the day", by: cast.giver, on: app)
            await #expect(throws: PostsError.ownPost) { _ = try await Comments.markHelpful(post, by: cast.giver, on: app.db) }
            #expect(try await Comments.markHelpful(post, by: cast.other, on: app.db) == 1)
            #expect(try await Comments.markHelpful(post, by: cast.other, on: app.db) == 1)
            #expect(try await Comments.markHelpful(post, by: cast.receiver, on: app.db) == 2)
            #expect(try await Comments.unmarkHelpful(post, by: cast.other, on: app.db) == 1)
            #expect(try await Comments.markedHelpful(post, by: cast.receiver, on: app.db))
            #expect(try await !Comments.markedHelpful(post, by: cast.other, on: app.db))
        }
    }

    @Test("the asker accepts one answer at a time: a comment on the question, not a reply, not their own; its writer is told")
    func acceptedAnswer() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let question = try await tip("Which CRM for two people?", body: "They book by text.", kind: .question, by: cast.giver, on: app)
            let answer = try await comment("A shared calendar with booking links.", on: question, by: cast.other, on: app)
            let second = try await comment("Pipedrive's two-seat plan.", on: question, by: cast.receiver, on: app)
            let reply = try await comment("Did that work?", on: question, parent: answer, by: cast.receiver, on: app)
            let own = try await comment("Thanks!", on: question, by: cast.giver, on: app)
            let base = "http://localhost"
            await #expect(throws: PostsError.notTheAsker) { try await Comments.accept(answer, on: question, by: cast.other, baseURL: base, on: app.db) }
            await #expect(throws: PostsError.answerIsReply) { try await Comments.accept(reply, on: question, by: cast.giver, baseURL: base, on: app.db) }
            await #expect(throws: PostsError.ownAnswer) { try await Comments.accept(own, on: question, by: cast.giver, baseURL: base, on: app.db) }
            try await Comments.accept(answer, on: question, by: cast.giver, baseURL: base, on: app.db)
            try await Comments.accept(second, on: question, by: cast.giver, baseURL: base, on: app.db)
            let accepted = try await Comments.threads(of: question, on: app.db).filter(\.comment.accepted).map(\.comment.id)
            #expect(accepted == [second])
            #expect(try await notifications(of: cast.other, on: app).contains("Gina Giver accepted your answer to “Which CRM for two people?”"))
            try await Comments.unaccept(on: question, by: cast.giver, on: app.db)
            #expect(try await Comments.threads(of: question, on: app.db).allSatisfy { !$0.comment.accepted })
            let notQuestion = try await tip("A tip", by: cast.giver, on: app)
            let onTip = try await comment("Nice.", on: notQuestion, by: cast.other, on: app)
            await #expect(throws: PostsError.notAQuestion) { try await Comments.accept(onTip, on: notQuestion, by: cast.giver, baseURL: base, on: app.db) }
        }
    }

    @Test("search finds posts by title, text, niche and what was said in their comments; never by an anonymous writer's name")
    func search() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            _ = try await tip("Invoice on the day you finish", by: cast.giver, on: app)
            let crm = try await tip("Which CRM for a cleaning company?", body: "They book by text message.", kind: .question,
                                    niches: ["crm implementation"], by: cast.receiver, on: app)
            _ = try await tip("The client who paid in exposure", body: "Never again.", kind: .horrorStory, anonymous: true, by: cast.other, on: app)
            _ = try await tip("Members only: our rates", body: "What we charge for bookkeeping.", visibility: .members, by: cast.giver, on: app)
            // act + assert: cached, so a new comment must reach a search cached before it (the cache rule)
            #expect(try await titles(PostQuery(q: "invoices"), on: app, cached: true) == ["Invoice on the day you finish"])
            #expect(try await titles(PostQuery(q: "texting"), on: app, cached: true) == ["Which CRM for a cleaning company?"])
            #expect(try await titles(PostQuery(q: "calendly"), on: app, cached: true).isEmpty)
            _ = try await comment("Calendly booking links solved it for mine.", on: crm, by: cast.giver, on: app)
            #expect(try await titles(PostQuery(q: "calendly"), on: app, cached: true) == ["Which CRM for a cleaning company?"])
            #expect(try await titles(PostQuery(q: "crm implementation"), on: app).contains("Which CRM for a cleaning company?"))
            #expect(try await titles(PostQuery(q: "olga"), on: app).isEmpty)
            #expect(try await titles(PostQuery(q: "exposure"), on: app) == ["The client who paid in exposure"])
            #expect(try await titles(PostQuery(q: "rates"), on: app).isEmpty)
            #expect(try await titles(PostQuery(q: "rates", membersOnlyToo: true), on: app) == ["Members only: our rates"])
            #expect(try await titles(PostQuery(q: "invoice calendly zebra"), on: app).count == 2)  // no post has all: any word
            #expect(try await titles(PostQuery(q: "invoice", kind: .question), on: app).isEmpty)
        }
    }

    @Test("an any-word search leaves out a word most posts have while a rarer one is there")
    func commonWords() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            for n in 1...3 { _ = try await tip("Invoice sooner \(n)", by: cast.giver, on: app) }
            _ = try await tip("Calendly links", body: "Booking without double bookings.", by: cast.giver, on: app)
            #expect(try await PostSearch.distinctive(["invoice", "calendly"], limit: 2, on: app.db) == ["calendly"])
            #expect(try await PostSearch.distinctive(["invoice", "sooner"], limit: 2, on: app.db) == ["invoice"])  // all common: the longest
            #expect(try await PostSearch.distinctive(["invoice", "calendly"], on: app.db) == ["invoice", "calendly"])
        }
    }

    @Test("most helpful this month: by marks of the last 30 days, most first")
    func mostHelpful() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let one = try await tip("One mark", by: cast.giver, on: app)
            let two = try await tip("Two marks", by: cast.giver, on: app)
            let old = try await tip("Marked long ago", by: cast.giver, on: app)
            _ = try await Comments.markHelpful(one, by: cast.other, on: app.db)
            _ = try await Comments.markHelpful(two, by: cast.other, on: app.db)
            _ = try await Comments.markHelpful(two, by: cast.receiver, on: app.db)
            let longAgo = Date().addingTimeInterval(-60 * 86_400)
            for user in [cast.other, cast.receiver, cast.admin] {
                _ = try await Comments.markHelpful(old, by: user, now: longAgo, on: app.db)
            }
            #expect(try await titles(PostQuery(order: .helpful), on: app, cached: true) == ["Two marks", "One mark"])
            _ = try await Comments.markHelpful(one, by: cast.admin, on: app.db)
            _ = try await Comments.markHelpful(one, by: cast.organizer, on: app.db)
            #expect(try await titles(PostQuery(order: .helpful), on: app, cached: true) == ["One mark", "Two marks"])
        }
    }

    @Test("reports reach organizers; hiding takes a post out of lists, search and feeds, leaves it to its author, and is logged")
    func moderation() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let post = try await tip("Buy my course", body: "Cheap followers here.", by: cast.other, on: app)
            let rude = try await comment("You are all fools.", on: post, by: cast.receiver, on: app)
            try await Moderation.report(post, comment: nil, reason: "Spam", by: cast.giver, on: app.db)
            try await Moderation.report(post, comment: nil, reason: "Spam again", by: cast.giver, on: app.db)  // one open report each
            try await Moderation.report(post, comment: rude, reason: "Rude", by: cast.giver, on: app.db)
            #expect(try await Moderation.openReports(on: app.db).map(\.reason) == ["Spam", "Rude"])
            // act: a member cannot moderate; an organizer hides the post with a reason
            await #expect(throws: CommonError.self) {
                try await Moderation.moderatePost(post, .hide, reason: "Spam", by: cast.giver, on: app.db)
            }
            await #expect(throws: PostsError.self) { try await Moderation.moderatePost(post, .hide, reason: " ", by: cast.organizer, on: app.db) }
            try await Moderation.moderatePost(post, .hide, reason: "Selling, not sharing", by: cast.organizer, on: app.db)
            // assert
            #expect(try await Moderation.openReports(on: app.db).map(\.reason) == ["Rude"])
            #expect(try await Posts.list(.init(), on: app.db).isEmpty)
            #expect(try await titles(PostQuery(q: "followers"), on: app, cached: true).isEmpty)
            #expect(try await app.testing().sendRequest(.GET, "/feeds/posts.atom").body.string.contains("Buy my course") == false)
            #expect(try await app.testing().sendRequest(.GET, "/posts/\(post)").status == .notFound)
            #expect(try await Posts.visible(post, to: cast.other, on: app.db)?.hidden_reason == "Selling, not sharing")
            #expect(try await Posts.visible(post, to: cast.organizer, on: app.db) != nil)
            #expect(try await Posts.visible(post, to: cast.giver, on: app.db) == nil)
            await #expect(throws: PostsError.notFound) { _ = try await Comments.markHelpful(post, by: cast.giver, on: app.db) }
            // a comment hidden: its words leave search, its place stays
            try await Moderation.moderateComment(rude, .hide, reason: "Insults", by: cast.admin, on: app.db)
            try await Moderation.moderatePost(post, .restore, reason: "Reworded by the writer", by: cast.organizer, on: app.db)
            #expect(try await titles(PostQuery(q: "followers"), on: app, cached: true) == ["Buy my course"])
            #expect(try await titles(PostQuery(q: "fools"), on: app, cached: true).isEmpty)
            #expect(try await Moderation.openReports(on: app.db).isEmpty)
            #expect(try await Moderation.recentLog(on: app.db).map(\.action) == ["restore_post", "hide_comment", "hide_post"])
            #expect(try await Moderation.recentLog(on: app.db).map(\.actor_name) == ["Oli Organizer", "Ada Admin", "Oli Organizer"])
            // the page: the hidden comment keeps its place without its words
            let page = try await app.testing().sendRequest(.GET, "/posts/\(post)").body.string
            #expect(page.contains("Hidden by an organizer") && !page.contains("You are all fools"))
        }
    }

    @Test("an account's first day: three posts and five comments an hour, then a clear 429")
    func newAccounts() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)  // all joined just now
            let post = try await tip("Post 1", by: cast.giver, on: app)
            _ = try await tip("Post 2", by: cast.giver, on: app)
            _ = try await tip("Post 3", by: cast.giver, on: app)
            await #expect(throws: PostsError.self) { _ = try await tip("Post 4", by: cast.giver, on: app) }
            for n in 1...5 { _ = try await comment("Comment \(n)", on: post, by: cast.other, on: app) }
            let refused = try await api(.POST, "/api/v1/posts/\(post)/comments", token: cast.otherToken, json: #"{"body":"Comment 6"}"#, on: app)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers.first(name: "Retry-After") != nil)
            #expect(refused.body.string.contains("New accounts can post 5 comments an hour"))
        }
    }

    @Test("API: comment, reply and read them nested; bad bodies name the field; hidden words are for their writer and organizers")
    func apiFaces() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let post = try await tip("Invoice on the day", by: cast.giver, on: app)
            let made = try await api(.POST, "/api/v1/posts/\(post)/comments", token: cast.otherToken,
                                                 json: #"{"body":"**Yes.** <script>alert(1)</script>"}"#, on: app)
            #expect(made.status == .created)
            struct Made: Decodable { var id: String; var html: String }
            let first = try JSONDecoder().decode(Made.self, from: Data(made.body.readableBytesView))
            #expect(first.html.contains("<strong>Yes.</strong>") && !first.html.contains("<script"))
            let reply = try await api(.POST, "/api/v1/posts/\(post)/comments", token: cast.receiverToken,
                                                  json: #"{"body":"Agreed","parentId":"\#(first.id)"}"#, on: app)
            #expect(reply.status == .created)
            let empty = try await api(.POST, "/api/v1/posts/\(post)/comments", token: cast.otherToken, json: #"{"body":"  "}"#, on: app)
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains(#""field":"body""#))
            let orphan = try await api(.POST, "/api/v1/posts/\(post)/comments", token: cast.otherToken,
                                                   json: #"{"body":"Hi","parentId":"\#(UUID())"}"#, on: app)
            #expect(orphan.status == .notFound && orphan.body.string.contains(#""field":"parentId""#))
            let missing = try await api(.POST, "/api/v1/posts/\(UUID())/comments", token: cast.otherToken, json: #"{"body":"Hi"}"#, on: app)
            #expect(missing.status == .notFound)
            struct List: Decodable { struct Comment: Decodable { var body: String; var hidden: Bool; var replies: [Comment]? }; var items: [Comment] }
            func read(_ token: String?) async throws -> List {
                let response = try await api(.GET, "/api/v1/posts/\(post)/comments", token: token, on: app)
                return try JSONDecoder().decode(List.self, from: Data(response.body.readableBytesView))
            }
            #expect(try await read(nil).items.first?.replies?.map(\.body) == ["Agreed"])
            let hidden = try await api(.POST, "/api/v1/moderation/comments/\(first.id)", token: cast.organizerToken,
                                                   json: #"{"action":"hide","reason":"Shouting"}"#, on: app)
            #expect(hidden.status == .noContent)
            #expect(try await read(nil).items.first.map { $0.hidden && $0.body.isEmpty } == true)
            #expect(try await read(cast.otherToken).items.first?.body.contains("Yes.") == true)
            #expect(try await read(cast.organizerToken).items.first?.body.contains("Yes.") == true)
            let helpful = try await api(.PUT, "/api/v1/posts/\(post)/helpful", token: cast.otherToken, on: app)
            #expect(helpful.status == .ok && helpful.body.string.contains(#""helpful":1"#))
            let own = try await api(.PUT, "/api/v1/posts/\(post)/helpful", token: cast.giverToken, on: app)
            #expect(own.status == .conflict)
            let search = try await api(.GET, "/api/v1/posts?q=invoice", token: nil, on: app)
            #expect(search.body.string.contains(#""total":1"#) && search.body.string.contains(#""helpful":1"#))
        }
    }

    @Test("pages: comment and reply with no JavaScript, labelled fields, an error keeps the words, hostile Markdown is inert")
    func pages() async throws {
        try await withGuild { app, _ in
            let cast = try await seasoned(app)
            let post = try await tip("Invoice on the day", by: cast.giver, on: app)
            let browser = Browser(app)
            try await browser.signIn(email: cast.other.email)
            let page = try await browser.get("/posts/\(post)").body.string
            #expect(page.contains(#"<label for="comment-body">"#) && page.contains(#"id="comment-body""#))
            let tooLong = String(repeating: "word ", count: 1_100)
            let refused = try await browser.post("/posts/\(post)/comments", ["body": tooLong])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("1 to 5000 characters") && refused.body.string.contains("word word"))
            let made = try await browser.post("/posts/\(post)/comments", ["body": #"<img src=x onerror=alert(1)> [x](javascript:alert(1)) fine"#])
            #expect(made.status == .seeOther)
            let shown = try await browser.get("/posts/\(post)").body.string
            #expect(shown.contains("fine") && !shown.contains("<img src=x") && !shown.contains("javascript:alert"))
            #expect(shown.lowercased().firstMatch(of: /<[a-z][^>]*\son[a-z]+\s*=/) == nil)  // as text, "&lt;img onerror…" is harmless
            #expect(shown.contains("Reply") && shown.contains(#"name="parent""#))
            let helpful = try await browser.post("/posts/\(post)/helpful", [:])
            #expect(helpful.status == .seeOther)
            #expect(try await browser.get("/posts/\(post)").body.string.contains("Helpful ✓ (1)"))
        }
    }
}

@Suite("Knowledge: the weekly digest")
struct DigestTests {
    /// Monday 30 November 2026, 09:00 UTC, and a day in the week before it.
    static let monday = Date(timeIntervalSince1970: 1_795_996_800 + 9 * 3600)
    static let lastWeek = Date(timeIntervalSince1970: 1_795_996_800 - 4 * 86_400)

    @Test("the week's key and Monday are ISO weeks in UTC")
    func weeks() {
        let (key, start) = KnowledgeDigest.week(of: Self.monday)
        #expect(key == "2026-W49" && start == Date(timeIntervalSince1970: 1_795_996_800))
        #expect(KnowledgeDigest.week(of: Self.lastWeek).key == "2026-W48")
        #expect(KnowledgeDigest.week(of: Date(timeIntervalSince1970: 1_798_675_200)).key == "2026-W53")  // Thu 31 Dec 2026
    }

    @Test("opt-in; the most helpful posts of last week in the member's niches, not their own; once per week across two servers")
    func digest() async throws {
        try await withGuild { app, _ in
            // setup: Rob does bookkeeping and asks for the digest; Gina does web design and does not
            let cast = try await seasoned(app)
            let robID = try cast.receiver.requireID()
            #expect(try await Notifications.emails(robID, .knowledgeDigest, on: app.db) == false)
            try await Notifications.setEmails(robID, .knowledgeDigest, true, on: app.db)
            let popular = try await tip("Popular bookkeeping tip", by: cast.giver, on: app)
            let quiet = try await tip("Quiet bookkeeping tip", by: cast.giver, on: app)
            let own = try await tip("Rob's own tip", by: cast.receiver, on: app)
            let elsewhere = try await tip("A copywriting tip", niches: ["copywriting"], by: cast.giver, on: app)
            for (post, members) in [(popular, [cast.other, cast.admin, cast.organizer]), (quiet, [cast.other]),
                                    (own, [cast.other, cast.admin, cast.organizer, cast.giver]), (elsewhere, [cast.other, cast.admin])] {
                for member in members { _ = try await Comments.markHelpful(post, by: member, now: Self.lastWeek, on: app.db) }
            }
            _ = try await Comments.markHelpful(quiet, by: cast.admin, now: Self.monday, on: app.db)  // this week: next digest
            // act: too early, then due, on two servers at once
            #expect(try await KnowledgeDigest.send(now: Self.monday.addingTimeInterval(-2 * 3600), baseURL: "http://g", on: app.db) == 0)
            try await withSecondInstance(of: app) { second, _ in
                async let one = KnowledgeDigest.send(now: Self.monday, baseURL: "http://g", on: app.db)
                async let two = KnowledgeDigest.send(now: Self.monday, baseURL: "http://g", on: second.db)
                let queued = try await one + two
                #expect(queued == 1)
            }
            #expect(try await KnowledgeDigest.send(now: Self.monday.addingTimeInterval(3600), baseURL: "http://g", on: app.db) == 0)
            // assert
            let messages = try await OutboxMessage.query(on: app.db).all()
            #expect(messages.map(\.recipient) == [cast.receiver.email])
            let body = try #require(messages.first?.body)
            #expect(body.contains("1. Popular bookkeeping tip (3 marked it helpful)\n   http://g/posts/\(popular)"))
            #expect(body.contains("2. Quiet bookkeeping tip (1 marked it helpful)"))
            #expect(!body.contains("Rob's own tip") && !body.contains("copywriting"))
            #expect(messages.first?.unsubscribeURL?.hasPrefix("http://g/unsubscribe/") == true)
        }
    }
}
