import Fluent
import Foundation
import SQLKit
import Validation
import Testing
import VaporTesting

@testable import Guild

@Suite("Runbooks: sealed at rest, no secrets, keys rotate; trusted contacts' links")
struct RunbookTests {
    static let document = RunbookDocument(
        clients: [.init(id: "", name: "Harlow Bakery", email: "orders@harlow.example", phone: "", inProgress: "Spring brochure",
                        deadline: "2027-03-14", mustHear: "")],
        whereThingsLive: "Invoices in the shared drive")

    static func key(_ seed: UInt8) -> Data { Data((0..<32).map { UInt8(truncatingIfNeeded: Int($0) * 31 + Int(seed) * 7 + 3) }) }

    @Test("the stored row holds no readable text; another key, or another member's row, does not open it")
    func sealedAtRest() async throws {
        try await withGuild { app, _ in
            // setup
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping"], on: app)
            let cipher = try #require(app.runbookCipher)
            // act
            try await Runbooks.save(Self.document, member: try ada.requireID(), cipher: cipher, on: app.db)
            // assert: neither the text nor its base64 carries the client
            struct Row: Decodable { var key_id: String; var sealed: String }
            let row = try #require(try await app.db.sql.raw("SELECT key_id, sealed FROM runbooks").first(decoding: Row.self))
            let raw = String(decoding: Data(base64Encoded: row.sealed) ?? Data(), as: UTF8.self)
            for needle in ["Harlow", "harlow.example", "brochure", "shared drive"] {
                #expect(!row.sealed.contains(needle) && !raw.contains(needle))
            }
            #expect(row.key_id == testRunbookKeys.currentID)
            let other = RunbookCipher(keys: RunbookKeys(current: Self.key(9), old: []))
            #expect(throws: (any Error).self) { try other.open(.init(keyID: row.key_id, text: row.sealed), member: try ada.requireID()) }
            // Copied onto Bo's row, Ada's runbook does not open as Bo's.
            try await app.db.sql.raw("""
                INSERT INTO runbooks (member_id, key_id, sealed, version, updated_at) VALUES (\(bind: try bo.requireID()), \(bind: row.key_id), \(bind: row.sealed), 1, \(bind: Date()))
                """).run()
            await #expect(throws: (any Error).self) { try await Runbooks.load(try bo.requireID(), cipher: cipher, on: app.db) }
            #expect(try await Runbooks.load(try ada.requireID(), cipher: cipher, on: app.db).0.clients.first?.name == "Harlow Bakery")
        }
    }

    @Test("rotation re-seals every runbook with the new key; start-up refuses a missing key or one that opens nothing stored")
    func keyRotation() async throws {
        try await withGuild { app, _ in
            // setup
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let old = try #require(app.runbookCipher)
            try await Runbooks.save(Self.document, member: try ada.requireID(), cipher: old, on: app.db)
            // Start-up: no key, or a different key alone, is refused; the old key among the old keys is fine.
            app.runbookCipher = nil
            await #expect(throws: ConfigError.self) { try await RunbookKeyFile.check(app, demo: false) }
            app.runbookCipher = RunbookCipher(keys: RunbookKeys(current: Self.key(5), old: []))
            await #expect(throws: ConfigError.self) { try await RunbookKeyFile.check(app, demo: false) }
            let rotating = RunbookCipher(keys: RunbookKeys(current: Self.key(5), old: [old.keys.current]))
            app.runbookCipher = rotating
            try await RunbookKeyFile.check(app, demo: false)
            // act
            let count = try await Runbooks.rotate(cipher: rotating, on: app.db)
            // assert
            #expect(count == 1)
            #expect(try await Runbooks.keyIDs(on: app.db) == [rotating.keys.currentID])
            let newOnly = RunbookCipher(keys: RunbookKeys(current: Self.key(5), old: []))
            #expect(try await Runbooks.load(try ada.requireID(), cipher: newOnly, on: app.db).0.clients.first?.name == "Harlow Bakery")
            #expect(try await Runbooks.rotate(cipher: rotating, on: app.db) == 0)
        }
    }

    @Test("keys that are short, not base64 or visibly not random are refused by name")
    func weakKeys() throws {
        for weak in ["secret", String(repeating: "a", count: 44), Data(repeating: 7, count: 32).base64EncodedString(),
                     Data((0..<16).map { UInt8($0) }).base64EncodedString(), String(repeating: "ab", count: 32)] {
            #expect(throws: ConfigError.self) { try AppConfig.from(environment: ["GUILD_RUNBOOK_KEY": weak]) }
        }
        let good = RunbookCipher.newKey()
        #expect(try AppConfig.from(environment: ["GUILD_RUNBOOK_KEY": good]).runbookKeys?.current == Data(base64Encoded: good))
        #expect(throws: ConfigError.self) { try AppConfig.from(environment: ["GUILD_RUNBOOK_OLD_KEYS": good]) }
    }

    @Test("secrets are refused with the field named and nothing stored, from the page and the API")
    func secretsRefused() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let browser = Browser(app)
            try await browser.signIn(email: ada.email)
            let page = try await browser.post("/cover/runbook/clients", ["name": "Harlow Bakery", "inProgress": "WordPress login\npassword: Tr0ub4dor&3"])
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.string.contains("What is in progress, line 2, looks like it holds a password") && !page.body.string.contains("Tr0ub4dor"))
            #expect(try await app.count("runbooks") == 0)
            #expect(try await browser.post("/cover/runbook/clients", ["name": "Harlow Bakery", "inProgress": "Spring brochure"]).status == .seeOther)
            let token = try await APIToken.issue(for: try ada.requireID(), label: "t", on: app.db).1
            let key = ["sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc"].joined()
            let refused = try await api(.PUT, "/api/v1/cover/runbook", token: token,
                                        json: #"{"clients":[{"name":"Harlow","inProgress":"Stripe \#(key)"}]}"#, on: app)
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("clients[0].inProgress"))
            // A control character that trimming would remove is refused as sent (the document's pattern refuses it).
            let control = try await api(.PUT, "/api/v1/cover/runbook", token: token, json: #"{"clients":[{"name":"Harlow\u0085"}]}"#, on: app)
            #expect(control.status == .unprocessableEntity && control.body.string.contains("clients[0].name"))
            // Lengths count the value as sent, as the document's maxLength does: a line break before 1,000 characters is 1,001.
            let long = try await api(.PUT, "/api/v1/cover/runbook", token: token,
                                     json: #"{"emergencyContact":"\n"# + String(repeating: "*", count: 1_000) + #""}"#, on: app)
            #expect(long.status == .unprocessableEntity && long.body.string.contains("emergencyContact"))
            let kept = try await api(.GET, "/api/v1/cover/runbook", token: token, on: app)
            #expect(kept.status == .ok && kept.body.string.contains("Spring brochure") && !kept.body.string.contains(key))
        }
    }

    @Test("a trusted contact's link: emailed once, works once, expires, is throttled; each use is logged and the member told")
    func trustedContactLink() async throws {
        try await withGuild { app, mail in
            // setup
            let cast = try await CoverCast.make(app)
            let named = try await cast.adaBrowser.post("/cover/trusted-contact", ["name": "Ana Ruiz", "email": "ana@example.com"])
            #expect(named.status == .ok && named.body.string.contains("/cover/activate/"))
            try await app.outboxDelivery().deliverDue()
            let invitation = try #require(mail.sent.first { $0.to == "ana@example.com" })
            let link = try #require(invitation.body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.contains("/cover/activate/") })
            let path = String(link[link.range(of: "/cover/activate/")!.lowerBound...])
            #expect(named.body.string.contains(path))
            // act: Ana, with no account, opens it and switches the cover on
            let stranger = Browser(app)
            let form = try await stranger.get(path)
            #expect(form.status == .ok && form.body.string.contains("Switch on Ada Lovelace's cover"))
            #expect(form.headers.first(name: "Referrer-Policy") == "no-referrer")
            let done = try await stranger.post(path, ["expectedBack": "", "note": "She is in hospital"])
            // assert
            #expect(done.status == .ok && done.body.string.contains("Bo Lin is the first to step in"))
            let active = try #require(try await CoverActivations.active(try cast.ada_id, on: app.db))
            #expect(active.started_by == "trusted_contact")
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.contains { $0.to == cast.ada.email && $0.subject == "Ana Ruiz (their trusted contact) switched on your cover" })
            #expect(mail.sent.contains { $0.to == cast.bo.email && $0.body.contains("She is in hospital") })
            let log = try await CoverActivations.logEntries(try cast.ada_id, on: app.db).map(\.kind)
            #expect(log.contains("link_opened") && log.contains("started"))
            // Single use.
            #expect(try await stranger.get(path).status == .notFound)
            #expect(try await stranger.post(path, [:]).status == .notFound)
            // Expired: a new link, made old.
            _ = try await CoverActivations.end(try cast.ada_id, by: cast.ada, baseURL: "", on: app.db)
            // The same address twice in a day is refused (the mail policy), and nothing changes.
            await #expect(throws: MailPolicyError.self) {
                try await CoverTrustedContacts.name(try cast.ada_id, name: "Ana Ruiz", email: "ana@example.com", baseURL: "", on: app.db)
            }
            let fresh = try await CoverTrustedContacts.name(try cast.ada_id, name: "Ana Ruiz", email: "ana.ruiz@example.com", baseURL: "", on: app.db)
            let freshPath = String(fresh[fresh.range(of: "/cover/activate/")!.lowerBound...])
            try await app.db.sql.raw("UPDATE cover_trusted_contacts SET expires_at = \(bind: Date().addingTimeInterval(-60)) WHERE revoked_at IS NULL").run()
            #expect(try await stranger.get(freshPath).status == .notFound)
            // Throttled: guessing from one address stops at ten an hour.
            var statuses: [HTTPStatus] = []
            for attempt in 0..<8 { statuses.append(try await stranger.get("/cover/activate/guess-\(attempt)-\(String(repeating: "x", count: 30))").status) }
            #expect(statuses.contains(.tooManyRequests))
        }
    }

    @Test("who reads a runbook: the member (at their own page), an accepted backup only while the cover is on; never a declined backup, another member, an organizer of the member's circle or an admin")
    func privacy() async throws {
        try await withGuild { app, _ in
            // setup: Ada's runbook; Bo accepted, Cy declined; Olu organizes Ada's circle; Ad is an admin
            let cast = try await CoverCast.make(app)
            let (cy, cyProfile) = try await Profile.make(name: "Cy Park", niches: ["payroll services"], on: app)
            let declined = try await CoverBackups.ask(try cast.ada_id, backupSlug: cyProfile.slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
            try await CoverBackups.answer(declined, accept: false, by: try cy.requireID(), baseURL: "", on: app.db)
            let (other, _) = try await Profile.make(name: "Oz Other", niches: ["copywriting"], on: app)
            let organizer = try await User.make(name: "Olu Organizer", role: .organizer, on: app)
            let circle = try await Circles.create(CircleFields(name: "Ada's circle", city: "Leeds"), by: try organizer.requireID(), on: app.db)
            try await Circles.join(circle, try cast.ada_id, on: app.db)
            let admin = try await User.make(name: "Ad Admin", role: .admin, on: app)
            try await Runbooks.save(RunbookDocument(whereThingsLive: "The Harlow folder"), member: try cast.ada_id,
                                    cipher: try #require(app.runbookCipher), on: app.db)
            var browsers: [String: Browser] = ["anonymous": Browser(app), "ada": cast.adaBrowser, "bo": cast.boBrowser]
            var tokens: [String: String] = [:]
            for (name, user) in [("ada", cast.ada), ("bo", cast.bo), ("cy", cy), ("other", other), ("organizer", organizer), ("admin", admin)] {
                if browsers[name] == nil {
                    let browser = Browser(app)
                    try await browser.signIn(email: user.email)
                    browsers[name] = browser
                }
                tokens[name] = try await APIToken.issue(for: user.requireID(), label: "t", on: app.db).1
            }
            func statuses() async throws -> [String: (HTTPStatus, HTTPStatus)] {
                var result: [String: (HTTPStatus, HTTPStatus)] = [:]
                for (name, browser) in browsers {
                    let page = try await browser.get("/cover/for/\(try cast.ada_id)").status
                    let api = try await api(.GET, "/api/v1/cover/runbook/\(try cast.ada_id)", token: tokens[name], on: app).status
                    result[name] = (page, api)
                }
                return result
            }
            // act + assert: cover off, nobody reads it there; Ada reads her own at /cover/runbook
            #expect(try await cast.adaBrowser.get("/cover/runbook").body.string.contains("The Harlow folder"))
            for (name, (page, api)) in try await statuses() {
                #expect(page == (name == "anonymous" ? .seeOther : .forbidden) && api == (name == "anonymous" ? .unauthorized : .forbidden), "\(name), cover off")
            }
            // cover on: only Bo
            _ = try await CoverActivations.start(try cast.ada_id, by: .member(try cast.ada_id), expectedBack: nil, note: "", baseURL: "",
                                                 cipher: app.runbookCipher, on: app.db)
            for (name, (page, api)) in try await statuses() {
                let expected: (HTTPStatus, HTTPStatus) = name == "bo" ? (.ok, .ok) : name == "anonymous" ? (.seeOther, .unauthorized) : (.forbidden, .forbidden)
                #expect(page == expected.0 && api == expected.1, "\(name), cover on")
            }
            // Each of Bo's two reads is in Ada's log; nobody else's attempt is.
            let reads = try await CoverActivations.logEntries(try cast.ada_id, on: app.db).filter { $0.kind == "runbook_read" }
            #expect(reads.count == 2 && reads.allSatisfy { $0.actor_label == "Bo Lin" })
        }
    }
}

