import Fluent
import Foundation
import SQLKit
import Validation
import Testing
import VaporTesting

@testable import Guild

/// A member and a colleague who accepted to be their backup, both signed in.
struct CoverCast {
    var ada: User, adaSlug: String, bo: User, boSlug: String
    var adaBrowser: Browser, boBrowser: Browser
    var ada_id: UUID { get throws { try ada.requireID() } }
    var bo_id: UUID { get throws { try bo.requireID() } }

    static func make(_ app: Application, accepted: Bool = true) async throws -> CoverCast {
        let (ada, adaProfile) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
        let (bo, boProfile) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping", "payroll services"], on: app)
        let adaBrowser = Browser(app), boBrowser = Browser(app)
        try await adaBrowser.signIn(email: ada.email)
        try await boBrowser.signIn(email: bo.email)
        if accepted {
            let id = try await CoverBackups.ask(try ada.requireID(), backupSlug: boProfile.slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
            try await CoverBackups.answer(id, accept: true, by: try bo.requireID(), baseURL: "", on: app.db)
        }
        return CoverCast(ada: ada, adaSlug: adaProfile.slug, bo: bo, boSlug: boProfile.slug, adaBrowser: adaBrowser, boBrowser: boBrowser)
    }
}

@Suite("Cover plans: backups by consent, activation, routing, return")
struct CoverPlansTests {
    @Test("nobody becomes a backup without accepting; declining, ending and withdrawing leave no cover; the order is the member's")
    func consent() async throws {
        try await withGuild { app, mail in
            // setup
            let cast = try await CoverCast.make(app, accepted: false)
            let (cy, cyProfile) = try await Profile.make(name: "Cy Park", niches: ["payroll services"], on: app)
            // act: Ada asks Bo from the page
            let asked = try await cast.adaBrowser.post("/cover/backups", ["with": "http://localhost:8080/m/\(cast.boSlug)", "niche": "", "message": "Would you?"])
            #expect(asked.status == .seeOther)
            // assert: asked is not accepted
            #expect(try await CoverBackups.available(for: cast.ada_id, on: app.db).isEmpty)
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.contains { $0.to == cast.bo.email && $0.subject == "Ada Lovelace asks you to be their backup" && $0.body.contains("Would you?") })
            let request = try #require(try await CoverBackups.coveringMe(cast.ada_id, on: app.db).first)
            // Only Bo answers: Ada cannot accept for him, and Cy does not see it at all.
            #expect(try await cast.adaBrowser.post("/cover/backups/\(request.id)/accept", [:]).status == .forbidden)
            let cyBrowser = Browser(app)
            try await cyBrowser.signIn(email: cy.email)
            #expect(try await cyBrowser.post("/cover/backups/\(request.id)/accept", [:]).status == .notFound)
            #expect(try await cast.boBrowser.get("/cover").body.string.contains("Ada Lovelace"))
            #expect(try await cast.boBrowser.post("/cover/backups/\(request.id)/accept", [:]).status == .seeOther)
            #expect(try await CoverBackups.available(for: cast.ada_id, on: app.db) == [try cast.bo_id])
            #expect(try await cast.boBrowser.post("/cover/backups/\(request.id)/accept", [:]).status == .conflict)
            // Asking twice, or oneself, is refused with the field named.
            let twice = try await cast.adaBrowser.post("/cover/backups", ["with": cast.boSlug])
            #expect(twice.status == .conflict && twice.body.string.contains("already your backup"))
            #expect(try await cast.adaBrowser.post("/cover/backups", ["with": cast.adaSlug]).status == .conflict)
            #expect(try await cast.adaBrowser.post("/cover/backups", ["with": "nobody-at-all"]).status == .unprocessableEntity)
            // Cy declines: still only Bo; then Cy is asked again, accepts, and Ada puts Cy first.
            let cyRequest = try await CoverBackups.ask(cast.ada_id, backupSlug: cyProfile.slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
            #expect(try await cyBrowser.post("/cover/backups/\(cyRequest)/decline", [:]).status == .seeOther)
            #expect(try await CoverBackups.available(for: cast.ada_id, on: app.db) == [try cast.bo_id])
            let again = try await CoverBackups.ask(cast.ada_id, backupSlug: cyProfile.slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
            try await CoverBackups.answer(again, accept: true, by: try cy.requireID(), baseURL: "", on: app.db)
            #expect(try await CoverBackups.available(for: cast.ada_id, on: app.db) == [try cast.bo_id, try cy.requireID()])
            #expect(try await cast.adaBrowser.post("/cover/backups/\(again)/move", ["position": "1"]).status == .seeOther)
            #expect(try await CoverBackups.available(for: cast.ada_id, on: app.db) == [try cy.requireID(), try cast.bo_id])
            // Bo ends it from his side: Ada is told, and Bo no longer covers.
            #expect(try await cast.boBrowser.post("/cover/backups/\(request.id)/end", [:]).status == .seeOther)
            #expect(try await CoverBackups.available(for: cast.ada_id, on: app.db) == [try cy.requireID()])
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.contains { $0.to == cast.ada.email && $0.subject == "Bo Lin is no longer your backup" })
        }
    }

    @Test("I'm out: backups are told, the runbook opens to them alone (each read logged), the message reaches clients; I'm back closes it")
    func activationAndReturn() async throws {
        try await withGuild { app, mail in
            // setup
            let cast = try await CoverCast.make(app)
            let cipher = try #require(app.runbookCipher)
            try await Runbooks.save(RunbookDocument(
                clients: [.init(id: "harlow", name: "Harlow Bakery", email: "orders@harlow.example", phone: "+44 20 7946 0958",
                                inProgress: "The spring brochure, proof 3 with them", deadline: "2027-03-14", mustHear: "Printing slips a week")],
                duties: [.init(id: "newsletter", title: "Send the Thursday newsletter", when: "Thursdays 9:00", steps: "Duplicate last week's in Mailchimp")],
                whereThingsLive: "Google Drive › Clients", emergencyContact: "Ana Ruiz, +34 612 345 678",
                clientMessage: "I am unwell this week; Bo Lin is looking after things."), member: cast.ada_id, cipher: cipher, on: app.db)
            // Closed while Ada is in.
            #expect(try await cast.boBrowser.get("/cover/for/\(cast.ada_id)").status == .forbidden)
            // act
            let out = try await cast.adaBrowser.post("/cover/out", ["expectedBack": "2027-03-20", "note": "Flu"])
            #expect(out.status == .seeOther)
            try await app.outboxDelivery().deliverDue()
            // assert: Bo is told, the client gets Ada's message from her name with replies to her
            #expect(mail.sent.contains { $0.to == cast.bo.email && $0.subject.hasPrefix("Ada Lovelace is out: you are covering (first call)") })
            let toClient = try #require(mail.sent.first { $0.to == "orders@harlow.example" })
            #expect(toClient.fromName == "Ada Lovelace" && toClient.replyTo == cast.ada.email && toClient.body.contains("Bo Lin is looking after things"))
            let page = try await cast.boBrowser.get("/cover/for/\(cast.ada_id)")
            #expect(page.status == .ok && page.body.string.contains("Harlow Bakery") && page.body.string.contains("Send the Thursday newsletter"))
            // Bo logs work for the client; a secret in the note is refused.
            #expect(try await cast.boBrowser.post("/cover/for/\(cast.ada_id)/handoffs", ["item": "harlow", "note": "Called them: proof approved"]).status == .seeOther)
            let secret = try await cast.boBrowser.post("/cover/for/\(cast.ada_id)/handoffs", ["item": "", "note": "mailchimp password: Sunny2026!"])
            #expect(secret.status == .unprocessableEntity && secret.body.string.contains("password manager"))
            // The profile says who covers; a second "I'm out" is refused.
            #expect(try await Browser(app).get("/m/\(cast.adaSlug)").body.string.contains("covered by <a href=\"/m/\(cast.boSlug)\">Bo Lin</a>"))
            #expect(try await cast.adaBrowser.post("/cover/out", [:]).status == .conflict)
            // I'm back: Bo is told, the runbook closes, Ada sees the log with Bo's read and his note.
            let back = try await cast.adaBrowser.post("/cover/back", [:])
            #expect(back.status == .seeOther)
            let record = try #require(back.headers.first(name: .location))
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.contains { $0.to == cast.bo.email && $0.subject == "Ada Lovelace is back: cover has ended" })
            #expect(try await cast.boBrowser.get("/cover/for/\(cast.ada_id)").status == .forbidden)
            let log = try await cast.adaBrowser.get(record).body.string
            #expect(log.contains("Client: Harlow Bakery: Called them: proof approved") && log.contains("Bo Lin: Read the runbook"))
            // Ada thanks Bo: his profile says so.
            #expect(try await cast.adaBrowser.post("\(record)/thanks", ["backup": try cast.bo_id.uuidString, "message": "You saved March"]).status == .seeOther)
            #expect(try await Browser(app).get("/m/\(cast.boSlug)").body.string.contains("Covered for 1 member"))
            #expect(!(try await Browser(app).get("/m/\(cast.adaSlug)").body.string.contains("covered by")))
        }
    }

    @Test("while a member is out, new referrals and matches go to the first available backup, and back to them after return")
    func routing() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await CoverCast.make(app)
            let (giver, _) = try await Profile.make(name: "Gia Giver", niches: ["copywriting"], on: app)
            let draft = ReferralDraft(receiverSlug: cast.adaSlug, clientName: "Clara Client", clientEmail: "clara@example.com", clientPhone: "",
                                      need: "Books before tax season", note: "", urgency: "this_week", consent: true)
            _ = try await CoverActivations.start(try cast.ada_id, by: .member(try cast.ada_id), expectedBack: nil, note: "", baseURL: "",
                                                 cipher: app.runbookCipher, on: app.db)
            // act
            let routed = try await Referrals.create(draft, by: giver, baseURL: "", on: app.db)
            // assert
            let record = try #require(try await Referrals.find(routed, on: app.db))
            #expect(record.receiver_id == (try cast.bo_id) && record.covering_for_name == "Ada Lovelace")
            let match = MemberMatch(slug: cast.adaSlug, name: "Ada Lovelace", business: "", headline: "", city: "", score: 0.6,
                                    reasons: [.init(kind: "niche", text: "Works in Bookkeeping")])
            let rerouted = try await CoverRouting.reroute([match], on: app.db)
            #expect(rerouted.map(\.slug) == [cast.boSlug] && rerouted.first?.reasons.first?.text == "Covering for Ada Lovelace, who is away")
            // Bo out too: nobody can take it, so the referral is refused and the match left out.
            _ = try await CoverActivations.start(try cast.bo_id, by: .member(try cast.bo_id), expectedBack: nil, note: "", baseURL: "",
                                                 cipher: app.runbookCipher, on: app.db)
            await #expect(throws: ReferralsError.self) { try await Referrals.create(draft, by: giver, baseURL: "", on: app.db) }
            #expect(try await CoverRouting.reroute([match], on: app.db).isEmpty)
            // Both back: Ada receives her own referrals again.
            _ = try await CoverActivations.end(try cast.ada_id, by: cast.ada, baseURL: "", on: app.db)
            _ = try await CoverActivations.end(try cast.bo_id, by: cast.bo, baseURL: "", on: app.db)
            let direct = try #require(try await Referrals.find(try await Referrals.create(draft, by: giver, baseURL: "", on: app.db), on: app.db))
            #expect(direct.receiver_id == (try cast.ada_id) && direct.covering_for_name == nil)
            #expect(try await CoverRouting.reroute([match], on: app.db).map(\.slug) == [cast.adaSlug])
        }
    }

    @Test("nobody available: the organizers of the member's circles are told")
    func nobodyAvailable() async throws {
        try await withGuild { app, mail in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let organizer = try await User.make(name: "Olu Organizer", on: app)
            let circle = try await Circles.create(CircleFields(name: "Leeds Makers", city: "Leeds"), by: try organizer.requireID(), on: app.db)
            try await Circles.join(circle, try ada.requireID(), on: app.db)
            let id = try await CoverActivations.start(try ada.requireID(), by: .member(try ada.requireID()), expectedBack: nil, note: "",
                                                      baseURL: "", cipher: nil, on: app.db)
            try await app.outboxDelivery().deliverDue()
            #expect(try await CoverActivations.find(id, on: app.db)?.nobody_available == true)
            #expect(mail.sent.contains { $0.to == organizer.email && $0.subject == "Ada Lovelace is out and nobody can cover" })
            // The organizer sees her among the uncovered; once Ada allowed this circle's organizers, Olu can end the cover for her.
            let browser = Browser(app)
            try await browser.signIn(email: organizer.email)
            #expect(try await browser.get("/cover/circles").body.string.contains("Ada Lovelace"))
            #expect(try await browser.post("/cover/members/\(try ada.requireID())/back", [:]).status == .forbidden)
            try await CoverSwitchConsents.set([circle.id], for: try ada.requireID(), on: app.db)
            #expect(try await browser.post("/cover/members/\(try ada.requireID())/back", [:]).status == .seeOther)
            #expect(try await CoverActivations.active(try ada.requireID(), on: app.db) == nil)
        }
    }

    @Test("an organizer switches a member's cover on only with the member's consent, a few a day, the member told at once, and never reads the runbook through it")
    func organizerSwitch() async throws {
        try await withGuild { app, mail in
            // setup: Olu makes a circle (anyone can) that Ada joins; Olu is also Ada's accepted backup
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (olu, oluProfile) = try await Profile.make(name: "Olu Organizer", niches: ["bookkeeping"], on: app)
            let adaID = try ada.requireID(), oluID = try olu.requireID()
            let circle = try await Circles.create(CircleFields(name: "Leeds Makers", city: "Leeds"), by: oluID, on: app.db)
            try await Circles.join(circle, adaID, on: app.db)
            let asked = try await CoverBackups.ask(adaID, backupSlug: oluProfile.slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
            try await CoverBackups.answer(asked, accept: true, by: oluID, baseURL: "", on: app.db)
            try await Runbooks.save(RunbookDocument(whereThingsLive: "The Harlow folder"), member: adaID, cipher: try #require(app.runbookCipher), on: app.db)
            let browser = Browser(app)
            try await browser.signIn(email: olu.email)
            // act + assert: without consent, no switch and nothing written
            let before = try await app.count("cover_activations")
            #expect(try await browser.post("/cover/members/\(adaID)/out", ["note": "x"]).status == .forbidden)
            #expect(try await app.count("cover_activations") == before)
            // Ada allows her circle's organizers (the form on her cover page)
            let own = Browser(app)
            try await own.signIn(email: ada.email)
            #expect(try await own.get("/cover").body.string.contains("Leeds Makers"))
            #expect(try await own.post("/cover/organizers", ["circle-\(circle.id)": "on"]).status == .seeOther)
            #expect(try await browser.post("/cover/members/\(adaID)/out", ["note": "She is ill"]).status == .seeOther)
            #expect(try await Notifications.list(adaID, on: app.db).contains { $0.title == "Olu Organizer switched on your cover" })
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.contains { $0.to == ada.email && $0.subject == "Olu Organizer switched on your cover" })
            // Olu is Ada's backup, but switched it on: the runbook stays closed to him
            await #expect(throws: CoverPlansError.runbookLocked) {
                try await CoverHandoffs.readRunbook(of: adaID, by: oluID, cipher: try #require(app.runbookCipher), on: app.db)
            }
            #expect(try await browser.get("/cover/for/\(adaID)").status != .ok)
        }
    }

    @Test("`guild cover status` shows the plan without the runbook's contents; the morning follow-up email pauses while the member is out")
    func statusAndPause() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await CoverCast.make(app)
            try await Runbooks.save(RunbookDocument(whereThingsLive: "Harlow folder in the shared drive"), member: try cast.ada_id,
                                    cipher: try #require(app.runbookCipher), on: app.db)
            try await Notifications.setEmails(try cast.ada_id, .followUpDigest, true, on: app.db)
            let noon = Calendar(identifier: .iso8601).startOfDay(for: Date(), in: TimeZone(identifier: "UTC")!).addingTimeInterval(12 * 3600)
            struct Row: Decodable { var n: Int }
            func digests() async throws -> Int {
                try await app.db.sql.raw("SELECT COUNT(*) AS n FROM followup_digest_sends WHERE user_id = \(bind: try cast.ada_id)")
                    .first(decoding: Row.self)?.n ?? 0
            }
            // act
            _ = try await CoverActivations.start(try cast.ada_id, by: .member(try cast.ada_id), expectedBack: nil, note: "", baseURL: "",
                                                 cipher: app.runbookCipher, on: app.db)
            let lines = try await CoverCommand().status(of: try cast.ada_id, name: "Ada Lovelace", on: app.db)
            try await FollowUpDigest.send(now: noon, baseURL: "", on: app.db)
            // assert
            #expect(lines.contains { $0.contains("1. Bo Lin in general: accepted") } && lines.contains { $0.contains("Cover is ON") })
            #expect(lines.contains { $0.contains("Runbook: last changed") } && !lines.joined().contains("Harlow"))
            #expect(try await digests() == 0)
            _ = try await CoverActivations.end(try cast.ada_id, by: cast.ada, baseURL: "", on: app.db)
            try await FollowUpDigest.send(now: noon, baseURL: "", on: app.db)
            #expect(try await digests() == 1)
        }
    }
}
