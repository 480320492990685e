import Fluent
import Formats
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// A local time `hours` from now in London, as the form's `datetime-local` value.
private func local(hours: Double) -> String {
    EventTimes.local(Date().addingTimeInterval(hours * 3_600), zone: TimeZone(identifier: "Europe/London")!)
}

/// The iCalendar part of an email and its METHOD, SEQUENCE and UID lines, or nil.
private func invitation(_ email: Email) -> (method: String, sequence: Int, uid: String, text: String)? {
    guard let calendar = email.calendar else { return nil }
    let lines = calendar.components(separatedBy: "\r\n")
    let value = { (name: String) in lines.first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)) } }
    return (value("METHOD") ?? "", Int(value("SEQUENCE") ?? "0") ?? 0, value("UID") ?? "", calendar)
}

@Suite("One-to-ones: ask, pick a time, calendar invitations, move, cancel")
struct OneToOnesTests {
    @Test("ask with three times, the other picks one: both get a REQUEST with one UID; moving bumps SEQUENCE; cancelling sends CANCEL")
    func invitationLifecycle() async throws {
        try await withGuild { app, mail in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, boProfile) = try await Profile.make(name: "Bo Lin", niches: ["plumbing"], on: app)
            let asker = Browser(app), asked = Browser(app)
            try await asker.signIn(email: ada.email)
            try await asked.signIn(email: bo.email)
            let form = try await asker.get("/one-to-ones/new?with=\(boProfile.slug)")
            #expect(form.status == .ok && form.body.string.contains("Ask Bo Lin for a one-to-one"))
            let created = try await asker.post("/one-to-ones", [
                "with": boProfile.slug, "slot1": local(hours: 48), "slot2": local(hours: 72), "slot3": "", "minutes": "45",
                "timeZone": "Europe/London", "place": "The Corner Café, Mill Road", "note": "Referrals between bookkeeping and plumbing?",
            ])
            #expect(created.status == .seeOther)
            let path = try #require(created.headers.first(name: .location))
            let id = try #require(UUID(uuidString: String(path.split(separator: "/").last ?? "")))
            // Bo is told, and sees the two times to pick from.
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.contains { $0.to == bo.email && $0.subject == "Ada Lovelace asks for a one-to-one" && $0.calendar == nil })
            let page = try await asked.get(path).body.string
            #expect(page.contains("Pick a time") && page.contains("slot-2") && !page.contains("slot-3"))
            // Only Bo picks; Ada cannot.
            #expect(try await asker.post("\(path)/accept", ["slot": "1"]).status == .forbidden)
            #expect(try await asked.post("\(path)/accept", ["slot": "2"]).status == .seeOther)
            try await app.outboxDelivery().deliverDue()
            let confirmed = mail.sent.filter { $0.subject.hasPrefix("One-to-one with") && $0.subject.hasSuffix("confirmed") }
            #expect(Set(confirmed.map(\.to)) == [ada.email, bo.email])
            let first = try #require(confirmed.first.flatMap(invitation))
            #expect(first.method == "REQUEST" && first.sequence == 0 && first.uid == OneToOnes.uid(id, baseURL: app.guildConfig.baseURL))
            #expect(first.text.contains("ORGANIZER;CN=\"Ada Lovelace\":mailto:\(ada.email)") && first.text.contains("DTSTART;TZID=Europe/London:"))
            #expect(confirmed.allSatisfy { invitation($0)?.uid == first.uid })
            // The message a mail client sees: the text, a text/calendar part with the method, and invite.ics.
            let raw = try #require(confirmed.first?.rfc5322)
            #expect(raw.contains("Content-Type: multipart/mixed;") && raw.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST")
                    && raw.contains("filename=\"invite.ics\""))
            let picked = try #require(try await OneToOnes.find(id, viewer: ada.requireID(), on: app.db))
            let offered = try await OneToOnes.slots(of: id, on: app.db)
            #expect(picked.state == .confirmed && picked.starts_at == offered[1].starts_at)
            // A second pick is refused: it is settled.
            #expect(try await asked.post("\(path)/accept", ["slot": "1"]).status == .conflict)
            // Ada moves it: the same UID, SEQUENCE 1, to both.
            #expect(try await asker.post("\(path)/move", ["start": local(hours: 96)]).status == .seeOther)
            try await app.outboxDelivery().deliverDue()
            let moved = mail.sent.filter { $0.subject.hasSuffix(" moved") }.compactMap(invitation)
            #expect(moved.count == 2 && moved.allSatisfy { $0.method == "REQUEST" && $0.sequence == 1 && $0.uid == first.uid })
            // The .ics download for either of them.
            let file = try await asked.get("\(path)/invite.ics")
            #expect(file.status == .ok && file.headers.contentType?.subType == "calendar" && file.body.string.contains("UID:\(first.uid)"))
            // Bo cancels: CANCEL with SEQUENCE 2 to both calendars.
            #expect(try await asked.post("\(path)/cancel", [:]).status == .seeOther)
            try await app.outboxDelivery().deliverDue()
            let cancelled = mail.sent.filter { $0.subject.hasSuffix(" cancelled") }.compactMap(invitation)
            #expect(cancelled.count == 2 && cancelled.allSatisfy { $0.method == "CANCEL" && $0.sequence == 2 && $0.text.contains("STATUS:CANCELLED") })
            #expect(try await asked.post("\(path)/cancel", [:]).status == .conflict)
        }
    }

    @Test("bad requests name the field: no time, a time in the past, an unknown zone, oneself, a note with control characters")
    func badInput() async throws {
        try await withGuild { app, _ in
            let (ada, adaProfile) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (_, boProfile) = try await Profile.make(name: "Bo Lin", niches: ["plumbing"], on: app)
            let browser = Browser(app)
            try await browser.signIn(email: ada.email)
            let good = ["with": boProfile.slug, "slot1": local(hours: 48), "minutes": "30", "timeZone": "Europe/London", "place": "", "note": ""]
            for (change, status, message) in [
                (["slot1": ""], HTTPStatus.unprocessableEntity, "Offer at least one time."),
                (["slot1": local(hours: -5)], .conflict, "Offer a time at least 15 minutes from now."),
                (["slot1": "next tuesday"], .unprocessableEntity, "Give a date and time like"),
                (["timeZone": "Mars/Olympus"], .notFound, "is not a time zone this server knows"),
                (["with": adaProfile.slug], .conflict, "A one-to-one is with someone else."),
                (["slot2": good["slot1"]!], .conflict, "Offer different times."),
                (["note": "hello\u{7}"], .unprocessableEntity, "must not contain control characters"),
                (["minutes": "600"], .unprocessableEntity, "15 minutes to 4 hours"),
            ] as [([String: String], HTTPStatus, String)] {
                let response = try await browser.post("/one-to-ones", good.merging(change) { $1 })
                #expect(response.status == status, "\(change)")
                #expect(response.body.string.contains(message), "\(change)")
            }
            #expect(try await app.count("one_to_ones") == 0)
        }
    }

    @Test("only the two members see a one-to-one; the day-before reminder goes once to each, even from two servers")
    func privacyAndReminders() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["plumbing"], on: app)
            let admin = try await User.make(name: "Ann Admin", role: .admin, on: app)
            let id = try await OneToOnes.propose(
                .init(invitee: bo.requireID(), starts: [Date().addingTimeInterval(20 * 3_600)], minutes: 30, timeZone: "UTC", place: "", note: ""),
                by: ada.requireID(), baseURL: "http://x", on: app.db)
            let outsider = Browser(app)
            try await outsider.signIn(email: admin.email)
            #expect(try await outsider.get("/one-to-ones/\(id)").status == .notFound)
            #expect(try await outsider.post("/one-to-ones/\(id)/cancel", [:]).status == .notFound)
            try await OneToOnes.accept(id, slot: 1, by: bo.requireID(), baseURL: "http://x", on: app.db)
            try await withSecondInstance(of: app) { second, _ in
                async let one = OneToOnes.remind(now: Date(), baseURL: "http://x", on: app.db)
                async let two = OneToOnes.remind(now: Date(), baseURL: "http://x", on: second.db)
                let (a, b) = try await (one, two)
                #expect(a + b == 2)
            }
            #expect(try await OneToOnes.remind(now: Date(), baseURL: "http://x", on: app.db) == 0)
            struct Row: Decodable { var recipient: String }
            let sent = try await app.db.sql.raw("SELECT recipient FROM outbox_messages WHERE subject LIKE 'Tomorrow: one-to-one%'").all(decoding: Row.self)
            #expect(Set(sent.map(\.recipient)) == [ada.email, bo.email] && sent.count == 2)
        }
    }

    @Test("the personal feed holds my yes-answers and one-to-ones, not maybes or others' plans; a new address kills the old, and off is off")
    func personalFeed() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["plumbing"], on: app)
            let host = try await User.make(name: "Hana Host", on: app)
            let going = try await makeEvent("Wednesday breakfast", host: host, on: app)
            let maybe = try await makeEvent("Friday drinks", host: host, hours: 60, on: app)
            let notMine = try await makeEvent("Saturday walk", host: host, hours: 70, on: app)
            _ = try await Attendance.rsvp(going.id, ada.requireID(), .yes, baseURL: "http://x", on: app.db)
            _ = try await Attendance.rsvp(maybe.id, ada.requireID(), .maybe, baseURL: "http://x", on: app.db)
            _ = try await Attendance.rsvp(notMine.id, bo.requireID(), .yes, baseURL: "http://x", on: app.db)
            let meeting = try await OneToOnes.propose(
                .init(invitee: bo.requireID(), starts: [Date().addingTimeInterval(30 * 3_600)], minutes: 30, timeZone: "Europe/Paris", place: "", note: ""),
                by: ada.requireID(), baseURL: "http://x", on: app.db)
            try await OneToOnes.accept(meeting, slot: 1, by: bo.requireID(), baseURL: "http://x", on: app.db)

            let browser = Browser(app)
            try await browser.signIn(email: ada.email)
            #expect(try await browser.get("/calendar").body.string.contains("Your feed is off"))
            let made = try await browser.post("/calendar/feed", [:]).body.string
            let url = try #require(made.firstMatch(of: /value="(http[^"]+\.ics)"/).map { String($0.output.1) })
            let path = String(url.dropFirst(app.guildConfig.baseURL.count))
            let feed = try await app.testing().sendRequest(.GET, path)
            #expect(feed.status == .ok && feed.headers.contentType?.subType == "calendar")
            let text = feed.body.string
            #expect(text.contains("SUMMARY:Wednesday breakfast") && !text.contains("Friday drinks") && !text.contains("Saturday walk"))
            #expect(text.contains("SUMMARY:One-to-one: Ada Lovelace & Bo Lin") && text.contains("TZID=Europe/Paris"))
            // The address is not shown again; a new one replaces it.
            #expect(!(try await browser.get("/calendar").body.string.contains(url)))
            _ = try await browser.post("/calendar/feed", [:])
            #expect(try await app.testing().sendRequest(.GET, path).status == .notFound)
            _ = try await browser.post("/calendar/feed/delete", [:])
            #expect(try await app.count("calendar_feeds") == 0)
            #expect(try await app.testing().sendRequest(.GET, "/calendar/not-a-token.ics").status == .notFound)
        }
    }

    @Test("signed out: the one-to-one and feed pages send to sign-in, their forms and API answer 401, and nothing is written")
    func signedOut() async throws {
        try await withGuild { app, _ in
            let (_, boProfile) = try await Profile.make(name: "Bo Lin", niches: ["plumbing"], on: app)
            let visitor = Browser(app)
            for path in ["/one-to-ones", "/one-to-ones/new?with=\(boProfile.slug)", "/calendar"] {
                let page = try await visitor.get(path)
                #expect(page.status == .seeOther && (page.headers.first(name: .location) ?? "").hasPrefix("/signin"), "\(path)")
            }
            for path in ["/one-to-ones", "/calendar/feed", "/calendar/feed/delete"] {
                #expect(try await visitor.post(path, ["with": boProfile.slug, "slot1": local(hours: 48), "timeZone": "UTC"]).status == .unauthorized, "\(path)")
            }
            #expect(try await api(.GET, "/api/v1/one-to-ones", token: nil, on: app).status == .unauthorized)
            #expect(try await api(.POST, "/api/v1/calendar-feed", token: nil, on: app).status == .unauthorized)
            #expect(try await app.count("one_to_ones") == 0)
            #expect(try await app.count("calendar_feeds") == 0)
        }
    }
}
