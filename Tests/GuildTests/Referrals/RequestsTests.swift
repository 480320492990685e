import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// The board's people: Gina posts requests, Rob and Olga answer, the others from `LedgerCast`.
private func post(_ title: String = "A photographer for a product launch in Denver", niches: String = #"["bookkeeping"]"#,
                  city: String = "Denver", token: String, on app: Application) async throws -> (TestingHTTPResponse, String) {
    let response = try await api(.POST, "/api/v1/requests", token: token,
                                 json: #"{"title":"\#(title)","details":"Forty products, one day","niches":\#(niches),"city":"\#(city)"}"#, on: app)
    struct Made: Decodable { struct Inner: Decodable { var id: String }; var request: Inner }
    let id = (try? JSONDecoder().decode(Made.self, from: Data(response.body.string.utf8)))?.request.id ?? ""
    return (response, id)
}

@Suite("Referrals: the requests board")
struct RequestsTests {
    @Test("post, find by niche, city and remote; expired requests leave the board and come back when extended")
    func board() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await LedgerCast.make(app)
            let (made, denver) = try await post(token: cast.giverToken, on: app)
            #expect(made.status == .created && made.body.string.contains(#""state":"open""#))
            _ = try await post("Someone to untangle our payroll", niches: #"["payroll services"]"#, city: "Austin", token: cast.otherToken, on: app)
            let old = try await ReferralRequests.create(
                RequestDraft(title: "An old need", details: "", niches: ["bookkeeping"], city: "Denver", remote: true),
                by: cast.giver, now: Date().addingTimeInterval(-31 * 86_400), on: app.db)
            // act + assert: the board shows open requests, newest first, filtered
            let all = try await api(.GET, "/api/v1/requests", token: cast.receiverToken, on: app).body.string
            #expect(all.contains("untangle our payroll") && all.contains("product launch") && !all.contains("An old need"))
            let books = try await api(.GET, "/api/v1/requests?niche=bookkeeping", token: cast.receiverToken, on: app).body.string
            #expect(books.contains("product launch") && !books.contains("payroll"))
            let austin = try await api(.GET, "/api/v1/requests?city=aus", token: cast.receiverToken, on: app).body.string
            #expect(austin.contains("payroll") && !austin.contains("product launch"))
            let mine = try await api(.GET, "/api/v1/requests?mine=true", token: cast.giverToken, on: app).body.string
            #expect(mine.contains(#""state":"expired""#) && mine.contains("product launch") && !mine.contains("payroll"))
            // extending the expired one brings it back for 30 days; closing takes a request off the board
            #expect(try await api(.POST, "/api/v1/requests/\(old)/extend", token: cast.giverToken, on: app).status == .ok)
            #expect(try await api(.GET, "/api/v1/requests?remote=true", token: cast.receiverToken, on: app).body.string.contains("An old need"))
            #expect(try await api(.POST, "/api/v1/requests/\(denver)/close", token: cast.giverToken, on: app).status == .ok)
            #expect(try await api(.POST, "/api/v1/requests/\(denver)/close", token: cast.giverToken, on: app).status == .conflict)
            #expect(!(try await api(.GET, "/api/v1/requests", token: cast.receiverToken, on: app).body.string.contains("product launch")))
        }
    }

    @Test("bad requests name the field: no title, six niches, an unknown niche, no city and not remote")
    func validation() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            func create(_ json: String) async throws -> TestingHTTPResponse {
                try await api(.POST, "/api/v1/requests", token: cast.giverToken, json: json, on: app)
            }
            let blank = try await create(#"{"title":"   ","niches":["bookkeeping"],"remote":true}"#)
            #expect(blank.status == .unprocessableEntity && blank.body.string.contains(#""field":"title""#))
            let six = try await create(#"{"title":"Help","niches":["a","b","c","d","e","f"],"remote":true}"#)
            #expect(six.status == .unprocessableEntity && six.body.string.contains(#""field":"niches""#))
            let unknown = try await create(#"{"title":"Help","niches":["underwater origami"],"remote":true}"#)
            #expect(unknown.status == .notFound && unknown.body.string.contains("underwater origami"))
            let nowhere = try await create(#"{"title":"Help","niches":["bookkeeping"]}"#)
            // the document says "a city or remote" (anyOf); the answer names both
            #expect(nowhere.status == .badRequest && nowhere.body.string.contains(#""field":"city""#)
                    && nowhere.body.string.contains("`city` or `remote`"), "\(nowhere.body.string)")
            #expect(try await app.count("referral_requests") == 0)
            // the same on the page: the form comes back with the message by its field
            let browser = Browser(app)
            _ = try await browser.signIn(email: cast.giver.email)
            let page = try await browser.post("/requests", ["title": "Help", "niches": "underwater origami", "city": "Denver"])
            #expect(page.status == .unprocessableEntity && page.body.string.contains(#"id="niches-error""#))
            #expect(page.body.string.contains(#"value="Help""#))
        }
    }

    @Test("answers: a member suggests someone with a reason; the poster and the suggested hear of it; no twice, not the poster, not one's own")
    func answers() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await LedgerCast.make(app)
            let (_, id) = try await post(token: cast.giverToken, on: app)
            let giverSlug = try #require(try await Profile.find(userID: cast.giver.requireID(), on: app.db)).slug
            func answer(_ member: String, token: String) async throws -> TestingHTTPResponse {
                try await api(.POST, "/api/v1/requests/\(id)/answers", token: token,
                              json: #"{"member":"\#(member)","reason":"Rob shot our launch last spring"}"#, on: app)
            }
            // act
            let made = try await answer(cast.receiverSlug, token: cast.otherToken)
            // assert
            #expect(made.status == .created && made.body.string.contains(#""picked":false"#))
            #expect(try await answer(cast.receiverSlug, token: cast.otherToken).status == .conflict)
            #expect(try await answer(giverSlug, token: cast.otherToken).status == .conflict)
            #expect(try await answer(cast.receiverSlug, token: cast.giverToken).status == .conflict)
            #expect(try await answer("no-such-member", token: cast.otherToken).status == .notFound)
            let offered = try await answer(cast.receiverSlug, token: cast.receiverToken)  // Rob offers himself
            #expect(offered.status == .created)
            struct Title: Decodable { var user_id: UUID; var title: String }
            let notes = try await app.db.sql.raw("SELECT user_id, title FROM notifications").all(decoding: Title.self)
            #expect(notes.filter { $0.user_id == cast.giver.id }.map(\.title).sorted()
                    == ["Olga Other suggested Rob Receiver for “A photographer for a product launch in Denver”",
                        "Rob Receiver suggested themselves for “A photographer for a product launch in Denver”"])
            // Rob hears once: for Olga's suggestion, not for his own offer
            #expect(notes.filter { $0.user_id == cast.receiver.id }.count == 1)
            let detail = try await api(.GET, "/api/v1/requests/\(id)", token: cast.adminToken, on: app).body.string
            #expect(detail.contains("Rob shot our launch") && detail.contains(#""answers":2"#))
        }
    }

    @Test("the poster picks an answer: a referral with the request's words, the request filled, the one who suggested thanked")
    func pick() async throws {
        try await withGuild { app, mail in
            // setup
            let cast = try await LedgerCast.make(app)
            let (_, id) = try await post(token: cast.giverToken, on: app)
            let answered = try await api(.POST, "/api/v1/requests/\(id)/answers", token: cast.otherToken,
                                         json: #"{"member":"\#(cast.receiverSlug)","reason":"Rob shot our launch"}"#, on: app)
            struct Answer: Decodable { var id: String }
            let answerID = try JSONDecoder().decode(Answer.self, from: Data(answered.body.string.utf8)).id
            func pick(to slug: String, token: String) async throws -> TestingHTTPResponse {
                try await api(.POST, "/api/v1/requests/\(id)/referral", token: token, json: """
                    {"to":"\(slug)","answerId":"\(answerID)","clientName":"\(clientSecret)","clientEmail":"\(clientMail)",
                     "urgency":"this_month","consent":true}
                    """, on: app)
            }
            // act + assert: only the poster, only to the member the answer suggests
            #expect(try await pick(to: cast.receiverSlug, token: cast.otherToken).status == .forbidden)
            let otherSlug = try #require(try await Profile.find(userID: cast.other.requireID(), on: app.db)).slug
            #expect(try await pick(to: otherSlug, token: cast.giverToken).status == .conflict)
            let made = try await pick(to: cast.receiverSlug, token: cast.giverToken)
            #expect(made.status == .created)
            #expect(made.body.string.contains("A photographer for a product launch in Denver") && made.body.string.contains("Forty products"))
            #expect(try await pick(to: cast.receiverSlug, token: cast.giverToken).status == .conflict)
            let detail = try await api(.GET, "/api/v1/requests/\(id)", token: cast.otherToken, on: app).body.string
            #expect(detail.contains(#""state":"filled""#) && detail.contains(#""picked":true"#))
            // the board never shows the client: the request's page and API know only that it was filled
            #expect(!detail.contains(clientSecret) && !detail.contains(clientMail))
            let olga = Browser(app)
            _ = try await olga.signIn(email: cast.other.email)
            let page = try await olga.get("/requests/\(id)").body.string
            #expect(page.contains("Filled") && page.contains("Picked") && !page.contains(clientSecret))
            struct Title: Decodable { var title: String }
            let thanks = try await app.db.sql.raw("SELECT title FROM notifications WHERE user_id = \(bind: cast.other.requireID())")
                .all(decoding: Title.self).map(\.title)
            #expect(thanks.contains("Gina Giver picked the member you suggested"))
            try await app.outboxDelivery().deliverDue()
            #expect(!mail.sent.contains { $0.body.contains(clientSecret) || $0.subject.contains(clientSecret) })
        }
    }

    @Test("pages: the board, posting with no JavaScript, answering, and the poster's refer form carrying the request")
    func pages() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let gina = Browser(app)
            _ = try await gina.signIn(email: cast.giver.email)
            #expect(try await gina.get("/requests/new").body.string.contains(#"<label for="title">"#))
            let posted = try await gina.post("/requests", ["title": "Someone for our year-end bookkeeping", "niches": "bookkeeping, payroll services",
                                                           "city": "Austin"])
            #expect(posted.status == .seeOther)
            let location = try #require(posted.headers.first(name: .location))
            let olga = Browser(app)
            _ = try await olga.signIn(email: cast.other.email)
            let board = try await olga.get("/requests").body.string
            #expect(board.contains("Someone for our year-end bookkeeping") && board.contains("Payroll services"))
            let own = try await gina.get(location).body.string
            #expect(!own.contains(#"action="\#(location)/answers""#) && own.contains("Close it"))
            // matching suggests Rob (bookkeeping) even before anyone answers; the poster may refer straight away
            #expect(own.contains("/m/\(cast.receiverSlug)/refer?request="))
            let answered = try await olga.post("\(location)/answers", ["member": "/m/\(cast.receiverSlug)", "reason": "Rob is thorough"])
            #expect(answered.status == .seeOther)
            let again = try await olga.post("\(location)/answers", ["member": "nobody-here", "reason": "x"])
            #expect(again.status == .unprocessableEntity && again.body.string.contains(#"id="member-error""#))
            let withAnswer = try await gina.get(location).body.string
            let answerLink = try #require(withAnswer.firstMatch(of: /href="(\/m\/[^"]+\/refer\?request=[^"&]+&amp;answer=[^"]+)"/)).1
            let form = try await gina.get(String(answerLink).replacingOccurrences(of: "&amp;", with: "&")).body.string
            #expect(form.contains("Someone for our year-end bookkeeping") && form.contains(#"name="request""#) && form.contains(#"name="answer""#))
            let request = try #require(form.firstMatch(of: /name="request" value="([^"]+)"/)).1
            let answer = try #require(form.firstMatch(of: /name="answer" value="([^"]+)"/)).1
            let sent = try await gina.post("/m/\(cast.receiverSlug)/refer", [
                "clientName": "Clara", "clientEmail": "clara@example.com", "need": "Year-end books", "urgency": "whenever", "consent": "yes",
                "request": String(request), "answer": String(answer)])
            #expect(sent.status == .seeOther)
            #expect(try await gina.get(location).body.string.contains("Filled"))
        }
    }
}
