import Fluent
import Formats
import Foundation
import Habits
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Disciplines: logging, privacy, Loop files, the weekly summary")
struct DisciplinesTests {
    func api(_ app: Application, _ method: HTTPMethod, _ path: String, token: String, json: String? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.bearerAuthorization = .init(token: token)
        return try await app.testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    @Test("one tap logs today; the day form backfills; streak, strength and the week follow; bad days and links are refused by name")
    func logging() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let browser = Browser(app)
            try await browser.signIn(email: ada.email)
            // act: add from the page, log today with the one-tap button, backfill yesterday
            #expect(try await browser.post("/disciplines", ["name": "Writing", "kind": "minutes_per_day", "target": "60"]).status == .seeOther)
            let row = try #require(try await Disciplines.list(of: try ada.requireID(), on: app.db).first)
            #expect(try await browser.post("/disciplines/\(row.id)/days", ["minutes": "60"]).status == .seeOther)
            let today = try await Disciplines.today(of: try ada.requireID(), on: app.db)
            #expect(try await browser.post("/disciplines/\(row.id)/days", ["day": today.advanced(by: -1).iso, "minutes": "75", "note": "Chapter 2",
                                                                           "link": "/posts/x", "back": "show"]).status == .seeOther)
            // assert
            let board = try await DisciplineBoard.load(try ada.requireID(), on: app.db)
            let stats = try #require(board.disciplines.first)
            #expect(stats.currentStreak == 2 && stats.bestStreak == 2 && stats.today == 60)
            #expect(abs(stats.strengthExact - (1 - pow(0.5, 2.0 / 13))) < 1e-9)
            let page = try await browser.get("/disciplines").body.string
            #expect(page.contains("Streak <strong>2 days</strong>") && page.contains("<svg class=\"heat-map\""))
            #expect(try await browser.get("/disciplines/\(row.id)").body.string.contains("Chapter 2"))
            // Refusals name the field; nothing is written.
            let future = try await browser.post("/disciplines/\(row.id)/days", ["day": today.advanced(by: 1).iso, "minutes": "30", "back": "show"])
            #expect(future.status == .unprocessableEntity && future.body.string.contains("has not come yet"))
            let old = try await browser.post("/disciplines/\(row.id)/days", ["day": today.advanced(by: -400).iso, "minutes": "30", "back": "show"])
            #expect(old.status == .unprocessableEntity && old.body.string.contains("up to a year back"))
            let link = try await browser.post("/disciplines/\(row.id)/days", ["minutes": "30", "link": "javascript:alert(1)"])
            #expect(link.status == .unprocessableEntity && link.body.string.contains("Link to a post"))
            let minutes = try await browser.post("/disciplines/\(row.id)/days", ["minutes": "2000"])
            #expect(minutes.status == .unprocessableEntity)
            #expect(try await Disciplines.values(of: try ada.requireID(), on: app.db)[row.id]?.count == 2)
            // 0 minutes with no note clears the day.
            #expect(try await browser.post("/disciplines/\(row.id)/days", ["minutes": "0"]).status == .seeOther)
            #expect(try await Disciplines.values(of: try ada.requireID(), on: app.db)[row.id]?.count == 1)
        }
    }

    @Test("the member and their accepted partner see the disciplines; nobody else does, organizers and admins included")
    func privacy() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, boProfile) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping"], on: app)
            let (cy, _) = try await Profile.make(name: "Cy Park", niches: ["bookkeeping"], on: app)
            let admin = try await User.make(name: "Ad Min", email: "admin-d@guild.test", role: .admin, on: app)
            let id = try await Disciplines.create(DisciplineInput(name: "Writing", kind: "done"), member: try ada.requireID(), on: app.db)
            var tokens: [String: String] = [:]
            for (name, user) in [("ada", ada), ("bo", bo), ("cy", cy), ("admin", admin)] {
                tokens[name] = try await APIToken.issue(for: user.requireID(), label: "t", on: app.db).1
            }
            let list = "/api/v1/disciplines?member=\(try ada.requireID())"
            // Asked is not accepted.
            let ask = try await DisciplinePartners.ask(try ada.requireID(), partnerSlug: boProfile.slug, message: "", baseURL: "", on: app.db)
            #expect(try await api(app, .GET, list, token: tokens["bo"]!).status == .notFound)
            try await DisciplinePartners.answer(ask, accept: true, by: try bo.requireID(), baseURL: "", on: app.db)
            let seen = try await api(app, .GET, list, token: tokens["bo"]!)
            #expect(seen.status == .ok && seen.body.string.contains("\"Writing\""))
            #expect(try await api(app, .GET, "/api/v1/disciplines/\(id)/stats", token: tokens["bo"]!).status == .ok)
            for name in ["cy", "admin"] {
                #expect(try await api(app, .GET, list, token: tokens[name]!).status == .notFound, "\(name)")
                #expect(try await api(app, .GET, "/api/v1/disciplines/\(id)/stats", token: tokens[name]!).status == .notFound, "\(name)")
            }
            // The partner reads but does not write.
            let today = try await Disciplines.today(of: try ada.requireID(), on: app.db).iso
            #expect(try await api(app, .PUT, "/api/v1/disciplines/\(id)/days/\(today)", token: tokens["bo"]!, json: #"{"done":true}"#).status == .notFound)
            // Cheering: once a day, and the member is told.
            #expect(try await DisciplinePartners.cheer(try ada.requireID(), from: try bo.requireID(), baseURL: "", on: app.db))
            #expect(try await !DisciplinePartners.cheer(try ada.requireID(), from: try bo.requireID(), baseURL: "", on: app.db))
            await #expect(throws: DisciplinesError.memberNotFound) {
                try await DisciplinePartners.cheer(try ada.requireID(), from: try cy.requireID(), baseURL: "", on: app.db)
            }
            // Ended: seen no more.
            try await DisciplinePartners.end(ask, by: try ada.requireID(), on: app.db)
            #expect(try await api(app, .GET, list, token: tokens["bo"]!).status == .notFound)
        }
    }

    @Test("the API logs a day and reports the same figures; pauses and cover keep the streak")
    func apiAndPauses() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let me = try ada.requireID()
            let token = try await APIToken.issue(for: me, label: "t", on: app.db).1
            let created = try await api(app, .POST, "/api/v1/disciplines", token: token, json: #"{"name":"Calls","kind":"done"}"#)
            #expect(created.status == .created)
            let id = try #require(try await Disciplines.list(of: me, on: app.db).first?.id)
            let today = try await Disciplines.today(of: me, on: app.db)
            for back in [0, 1, 5, 6] {
                let put = try await api(app, .PUT, "/api/v1/disciplines/\(id)/days/\(today.advanced(by: -back).iso)", token: token, json: #"{"done":true}"#)
                #expect(put.status == .ok)
            }
            #expect(try await DisciplineBoard.load(me, on: app.db).disciplines.first?.currentStreak == 2)
            // Days 2–4 paused: a five-day streak... of four logged days.
            _ = try await DisciplinePauses.create(me, from: today.advanced(by: -4).iso, through: today.advanced(by: -2).iso, reason: "illness",
                                                  note: "Flu", today: today, on: app.db)
            let stats = try await api(app, .GET, "/api/v1/disciplines/\(id)/stats", token: token)
            #expect(stats.status == .ok && stats.body.string.contains("\"currentStreak\":4"))
            // A target outside the document's range is 422; one the kind cannot take, 409; both name the field.
            let bad = try await api(app, .POST, "/api/v1/disciplines", token: token, json: #"{"name":"X","kind":"done","target":1441}"#)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("\"field\":\"target\""))
            let kind = try await api(app, .POST, "/api/v1/disciplines", token: token, json: #"{"name":"X","kind":"times_per_week","target":9}"#)
            #expect(kind.status == .conflict && kind.body.string.contains("\"field\":\"target\""))
            // A day that does not exist is 404; one that cannot be logged, 409.
            #expect(try await api(app, .PUT, "/api/v1/disciplines/\(id)/days/2026-02-30", token: token, json: #"{"done":true}"#).status == .notFound)
            let future = try await api(app, .PUT, "/api/v1/disciplines/\(id)/days/\(today.advanced(by: 3).iso)", token: token, json: #"{"done":true}"#)
            #expect(future.status == .conflict && future.body.string.contains("\"field\":\"day\""))
            // Cover on: today is paused too.
            _ = try await CoverActivations.start(me, by: .member(me), expectedBack: nil, note: "", baseURL: "", cipher: nil, on: app.db)
            #expect(try await DisciplineBoard.load(me, on: app.db).disciplines.first?.pausedToday == true)
        }
    }

    @Test("Loop Habit Tracker's files: our export reads back into the same days, and Loop's own columns are read")
    func loopRoundTrip() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping"], on: app)
            let me = try ada.requireID()
            let writing = try await Disciplines.create(DisciplineInput(name: "Writing", kind: "minutes_per_day", target: 60), member: me, on: app.db)
            let calls = try await Disciplines.create(DisciplineInput(name: "Calls, \"cold\"", kind: "times_per_week", target: 3), member: me, on: app.db)
            let today = try await Disciplines.today(of: me, on: app.db)
            for back in 0..<20 {
                _ = try await Disciplines.setDay(writing, day: today.advanced(by: -back).iso, DayInput(minutes: 30 + back), member: me, on: app.db)
                if back % 2 == 0 { _ = try await Disciplines.setDay(calls, day: today.advanced(by: -back).iso, DayInput(done: true), member: me, on: app.db) }
            }
            let zip = try await LoopTransfer.export(me, on: app.db)
            let files = try Self.unzip(zip)
            #expect(files.keys.contains("Habits.csv") && files.keys.contains("Checkmarks.csv") && files.keys.contains("001 Writing/Scores.csv"))
            #expect(files["Habits.csv"]!.hasPrefix("Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,Target Type,Target Value,Archived?\r\n"))
            let summary = try await LoopTransfer.importFiles(try bo.requireID(), habitsCSV: files["Habits.csv"]!, checkmarksCSV: files["Checkmarks.csv"]!, on: app.db)
            #expect(summary.created == 2 && summary.days == 30)
            let theirs = try await Disciplines.list(of: try bo.requireID(), on: app.db)
            #expect(theirs.map(\.name) == ["Writing", "Calls, \"cold\""] && theirs.map(\.kind) == ["minutes_per_day", "times_per_week"] && theirs.map(\.target) == [60, 3])
            let mine = try await Disciplines.values(of: me, on: app.db), copied = try await Disciplines.values(of: try bo.requireID(), on: app.db)
            #expect(copied[theirs[0].id] == mine[writing] && copied[theirs[1].id] == mine[calls])
            // Loop's own export: YES_NO 2 (done by hand) / 1 (automatic, not done) / 0 / −1, a measurable habit, an old header.
            let loop = try await LoopTransfer.importFiles(
                try bo.requireID(),
                habitsCSV: "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,Target Type,Target Value,Archived?\n"
                    + "001,Meditate,YES_NO,Did you meditate?,,1,1,#FF8F00,,,,false\n002,Run,NUMERICAL,,,3,7,#AAAAAA,km,AT_LEAST,5.0,false\n",
                checkmarksCSV: "Date,Meditate,Run,\n\(today.iso),2,6.5,\n\(today.advanced(by: -1).iso),1,0,\n\(today.advanced(by: -2).iso),2,-1,\n",
                on: app.db)
            #expect(loop.created == 2 && loop.days == 3)
            await #expect(throws: DisciplinesError.self) {
                try await LoopTransfer.importFiles(try bo.requireID(), habitsCSV: "nothing,here\n1,2\n", checkmarksCSV: "Date\n", on: app.db)
            }
        }
    }

    @Test("the weekly summary is opt-in and sent once across two servers")
    func summaryOnce() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (cy, _) = try await Profile.make(name: "Cy Quiet", niches: ["bookkeeping"], on: app)
            for user in [ada, cy] {
                _ = try await Disciplines.create(DisciplineInput(name: "Writing", kind: "minutes_per_day", target: 60), member: try user.requireID(), on: app.db)
            }
            try await Notifications.setEmails(try ada.requireID(), .disciplineSummary, true, on: app.db)
            var monday = Day(Date(), in: TimeZone(identifier: "UTC")!).monday
            if monday.start(in: TimeZone(identifier: "UTC")!) > Date() { monday = monday.advanced(by: -7) }
            let morning = monday.start(in: TimeZone(identifier: "UTC")!).addingTimeInterval(9 * 3600)
            #expect(try await DisciplineSummary.send(now: morning.addingTimeInterval(-3 * 3600), baseURL: "http://g", on: app.db) == 0)
            #expect(try await DisciplineSummary.send(now: morning.addingTimeInterval(86_400), baseURL: "http://g", on: app.db) == 0)
            try await withSecondInstance(of: app) { second, _ in
                async let one = DisciplineSummary.send(now: morning, baseURL: "http://g", on: app.db)
                async let two = DisciplineSummary.send(now: morning, baseURL: "http://g", on: second.db)
                let queued = try await one + two
                #expect(queued == 1)
            }
            let messages = try await OutboxMessage.query(on: app.db).all()
            #expect(messages.map(\.recipient) == [ada.email])
            #expect(messages.first?.body.contains("- Writing: 0 of 420 minutes") == true && messages.first?.unsubscribeURL?.hasPrefix("http://g/unsubscribe/") == true)
        }
    }

    @Test("what I implemented becomes a case-study draft, for its member only")
    func caseStudyDraft() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping"], on: app)
            let id = try await Reading.addImplementation(member: try ada.requireID(), title: "A one-line promise", what: "Rewrote quotes",
                                                         result: "4 of 7 accepted", book: nil, today: Day(number: 20_000), on: app.db)
            let adaBrowser = Browser(app), boBrowser = Browser(app)
            try await adaBrowser.signIn(email: ada.email)
            try await boBrowser.signIn(email: bo.email)
            let draft = try await adaBrowser.get("/posts/new?implementation=\(id)").body.string
            #expect(draft.contains("A one-line promise") && draft.contains("4 of 7 accepted"))
            #expect(!(try await boBrowser.get("/posts/new?implementation=\(id)").body.string.contains("A one-line promise")))
        }
    }

    /// The files of a stored (uncompressed) zip, by name, read from its local headers.
    static func unzip(_ data: Data) throws -> [String: String] {
        let bytes = [UInt8](data)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        var files: [String: String] = [:], i = 0
        while i + 30 <= bytes.count, u32(i) == 0x0403_4B50 {
            #expect(u16(i + 8) == 0)
            let size = u32(i + 18), nameLength = u16(i + 26), extra = u16(i + 28)
            let name = String(decoding: bytes[(i + 30)..<(i + 30 + nameLength)], as: UTF8.self)
            let start = i + 30 + nameLength + extra
            let content = Data(bytes[start..<(start + size)])
            #expect(ZipWriter.crc32(content) == UInt32(u32(i + 14)))
            files[name] = String(decoding: content, as: UTF8.self)
            i = start + size
        }
        return files
    }
}
