import Fluent
import Foundation
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Guild

@Suite("Circles: open groups with organizers")
struct CirclesTests {
    @Test("anyone joins or leaves; the page shows members side by side by niche; the last organizer hands on before leaving")
    func joinLeaveAndNiches() async throws {
        try await withGuild { app, _ in
            // setup: Hana starts a circle; two web designers and a photographer join
            let (hana, _) = try await Profile.make(name: "Hana Host", niches: ["event planning"], on: app)
            let circle = try await Circles.create(CircleFields(name: "Austin Breakfast Club", description: "We meet on **Wednesdays**.", city: "Austin"),
                                                  by: hana.requireID(), on: app.db)
            #expect(circle.slug == "austin-breakfast-club" && circle.description_html.contains("<strong>Wednesdays</strong>"))
            for (name, niche) in [("Wen One", "web design"), ("Wen Two", "web design"), ("Pat Lens", "wedding photography")] {
                let (member, _) = try await Profile.make(name: name, niches: [niche], on: app)
                let browser = Browser(app)
                _ = try await browser.signIn(email: member.email)
                #expect(try await browser.post("/circles/\(circle.slug)/join", [:]).status == .seeOther)
            }
            // act
            let page = try await app.testing().sendRequest(.GET, "/circles/\(circle.slug)").body.string
            // assert
            let lower = page.lowercased()
            #expect(page.contains("4 members") && lower.contains("2 × web design") && lower.contains("1 × wedding photography"))
            #expect(try await Circles.require(id: circle.id, on: app.db).member_count == 4)
            // the only organizer cannot leave while others are in it
            await #expect(throws: EventsError.lastOrganizer) { try await Circles.leave(circle, hana.requireID(), on: app.db) }
            let second = try await Circles.create(CircleFields(name: "Austin Breakfast Club", online: true), by: hana.requireID(), on: app.db)
            #expect(second.slug == "austin-breakfast-club-2" && second.online)
        }
    }

    @Test("an organizer removes a member with a reason the member reads, and hands the role on")
    func removeAndHandOn() async throws {
        try await withGuild { app, _ in
            let hana = try await User.make(name: "Hana Host", on: app)
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["web design"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Books", niches: ["bookkeeping"], on: app)
            let circle = try await Circles.create(CircleFields(name: "Morning Circle", city: "Leeds"), by: hana.requireID(), on: app.db)
            for user in [ada, bo] { try await Circles.join(circle, user.requireID(), on: app.db) }
            let browser = Browser(app)
            _ = try await browser.signIn(email: hana.email)
            // a removal without a reason is refused, with the field named
            let noReason = try await browser.post("/circles/\(circle.slug)/members/\(bo.requireID())/remove", ["reason": " "])
            #expect(noReason.status == .unprocessableEntity && noReason.body.string.contains("Give a reason"))
            #expect(try await browser.post("/circles/\(circle.slug)/members/\(bo.requireID())/remove", ["reason": "Sold to members every week."]).status == .seeOther)
            struct Row: Decodable { var body: String }
            let told = try await app.db.sql.raw("SELECT body FROM outbox_messages WHERE recipient = \(bind: bo.email)").all(decoding: Row.self)
            #expect(told.contains { $0.body.contains("Sold to members every week.") })
            #expect(try await Circles.role(of: bo.id, in: circle.id, on: app.db) == nil)
            // hand the role on to Ada; Hana stays as a member and may now leave
            #expect(try await browser.post("/circles/\(circle.slug)/members/\(ada.requireID())/organizer", ["stepDown": "true"]).status == .seeOther)
            #expect(try await Circles.role(of: ada.id, in: circle.id, on: app.db) == .organizer)
            #expect(try await Circles.role(of: hana.id, in: circle.id, on: app.db) == .member)
            // Hana is no organizer now: her removal of Ada is refused
            #expect(try await browser.post("/circles/\(circle.slug)/members/\(ada.requireID())/remove", ["reason": "x"]).status == .forbidden)
            #expect(try await browser.post("/circles/\(circle.slug)/leave", [:]).status == .seeOther)
        }
    }

    @Test("invitations are emailed once a week per address, and joining from the link marks one accepted")
    func invitations() async throws {
        try await withGuild { app, _ in
            let hana = try await User.make(name: "Hana Host", on: app)
            let circle = try await Circles.create(CircleFields(name: "Morning Circle", city: "Leeds"), by: hana.requireID(), on: app.db)
            // Guild emails people outside it only for someone who knows them: both are Hana's contacts.
            for (name, email) in [("Fran Friend", "friend@example.com"), ("Otto Other", "other@example.com")] {
                _ = try await Contacts.create(ContactDraft(fields: .init(name: name, emails: [.init(email)])), owner: hana.requireID(), on: app.db)
            }
            let browser = Browser(app)
            _ = try await browser.signIn(email: hana.email)
            let bad = try await browser.post("/circles/\(circle.slug)/invitations", ["emails": "friend@example.com, not-an-address"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("“not-an-address” is not an email address"))
            #expect(try await browser.post("/circles/\(circle.slug)/invitations", ["emails": "Friend@Example.com\nother@example.com"]).status == .seeOther)
            _ = try await browser.post("/circles/\(circle.slug)/invitations", ["emails": "friend@example.com"])
            struct Row: Decodable { var recipient: String; var body: String }
            let sent = try await app.db.sql.raw("SELECT recipient, body FROM outbox_messages WHERE subject LIKE '%invites you%'").all(decoding: Row.self)
            #expect(sent.map(\.recipient).sorted() == ["friend@example.com", "other@example.com"])
            let token = try #require(sent.first?.body.split(separator: "invitation=").last?.prefix { !$0.isWhitespace })
            let friend = try await User.make(name: "Fran Friend", email: "friend@example.com", on: app)
            let guest = Browser(app)
            _ = try await guest.signIn(email: friend.email)
            #expect(try await guest.post("/circles/\(circle.slug)/join", ["invitation": String(token)]).status == .seeOther)
            struct Accepted: Decodable { var n: Int }
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM circle_invitations WHERE accepted_at IS NOT NULL").first(decoding: Accepted.self)?.n == 1)
        }
    }

    @Test("a circle's feed writes each series once with its rule and its cancelled dates; an event's file is one date")
    func calendarFeeds() async throws {
        try await withGuild { app, _ in
            let hana = try await User.make(name: "Hana Host", on: app)
            let circle = try await Circles.create(CircleFields(name: "Morning Circle", city: "Leeds"), by: hana.requireID(), on: app.db)
            let first = try await makeEvent("Weekly breakfast", host: hana, circle: circle, hours: 30, recurrence: "FREQ=WEEKLY;COUNT=6", on: app)
            struct Row: Decodable { var id: UUID; var starts_at: Date }
            let dates = try await app.db.sql.raw("SELECT id, starts_at FROM events WHERE series_id = \(bind: first.id) ORDER BY starts_at").all(decoding: Row.self)
            #expect(dates.count == 5)
            let second = try await Events.require(dates[0].id, on: app.db)
            _ = try await Events.cancel(second, reason: "Bank holiday", baseURL: "http://x", on: app.db)
            // act
            let feed = try await app.testing().sendRequest(.GET, "/circles/\(circle.slug).ics")
            // assert
            #expect(feed.status == .ok && feed.headers.contentType?.subType == "calendar")
            let text = feed.body.string
            #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 2)
            #expect(text.contains("RRULE:FREQ=WEEKLY;COUNT=6\r\n") && text.contains("EXDATE;TZID=Europe/London:"))
            #expect(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London"))
            let file = try await app.testing().sendRequest(.GET, "/events/\(second.id).ics").body.string
            #expect(file.contains("STATUS:CANCELLED") && !file.contains("RRULE") && file.contains("SEQUENCE:1"))
            #expect(try await app.testing().sendRequest(.GET, "/circles/no-such-circle.ics").status == .notFound)
        }
    }
}
