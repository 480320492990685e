import Fluent
import Foundation
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Guild

/// What one free account can make Guild email (issue 30): the loops an attacker would run, run to
/// their end, and what a member doing ordinary things still gets through.
@Suite("The outbound-mail policy")
struct MailPolicyTests {
    struct Row: Decodable { var recipient: String; var kind: String; var body: String }

    static func queued(_ app: Application, kind: String) async throws -> [Row] {
        try await app.db.sql.raw("SELECT recipient, kind, body FROM outbox_messages WHERE kind = \(bind: kind)").all(decoding: Row.self)
    }

    static func contacts(_ count: Int, owner: UUID, on app: Application) async throws -> [String] {
        var addresses: [String] = []
        for index in 0..<count {
            let address = "client\(index)@outside.example"
            _ = try await Contacts.create(ContactDraft(fields: .init(name: "Client \(index)", emails: [.init(address)])), owner: owner, on: app.db)
            addresses.append(address)
        }
        return addresses
    }

    @Test("starting and ending a cover in a loop: three starts a day, each client told once, at most the budget, admins once per start")
    func coverLoop() async throws {
        try await withGuild { app, _ in
            // setup: a new member with 100 clients on the runbook and a message for them, no backups; one admin
            let (mallory, _) = try await Profile.make(name: "Mallory Spam", niches: ["bookkeeping"], on: app)
            let admin = try await User.make(name: "Ada Admin", role: .admin, on: app)
            let id = try mallory.requireID()
            let clients = (0..<RunbookDocument.maxItems).map {
                RunbookDocument.Client(id: "", name: "Client \($0)", email: "victim\($0)@outside.example", phone: "", inProgress: "",
                                       deadline: "", mustHear: "")
            }
            _ = try await Runbooks.save(RunbookDocument(clients: clients, clientMessage: "Buy cheap watches at https://spam.example"),
                                        member: id, cipher: try #require(app.runbookCipher), on: app.db)
            // act: start and end until Guild says no
            var starts = 0
            loop: while starts < 50 {
                do {
                    _ = try await CoverActivations.start(id, by: .member(id), expectedBack: nil, note: "", baseURL: "http://x",
                                                         cipher: app.runbookCipher, on: app.db)
                    starts += 1
                    _ = try await CoverActivations.end(id, by: mallory, baseURL: "http://x", on: app.db)
                } catch let error as CommonError {
                    guard case .throttled = error else { throw error }
                    break loop
                }
            }
            // assert
            #expect(starts == CoverActivations.startsPerDay.limit)
            let told = try await Self.queued(app, kind: "runbook_client")
            #expect(told.count == MailPolicy.firstWeekBudget)
            #expect(Set(told.map(\.recipient)).count == told.count, "a client was told twice")
            #expect(told.allSatisfy { $0.body.contains("/mail/stop/") })
            let toAdmin = try await app.db.sql.raw("SELECT recipient, kind, body FROM outbox_messages WHERE recipient = \(bind: admin.email)")
                .all(decoding: Row.self)
            #expect(toAdmin.count <= starts)
        }
    }

    @Test("creating circles and inviting 50 contacts each: at most five circles a day, at most the budget emailed, nothing half-sent")
    func invitationLoop() async throws {
        try await withGuild { app, _ in
            // setup: a new member who imported 300 addresses
            let mallory = try await User.make(name: "Mallory Spam", on: app)
            let id = try mallory.requireID()
            let addresses = try await Self.contacts(300, owner: id, on: app)
            // act
            var circles = 0, refusals = 0
            for round in 0..<10 {
                let circle: CircleRecord
                do {
                    circle = try await Circles.create(CircleFields(name: "Cheap Watches \(round)", city: "Leeds"), by: id, on: app.db)
                    circles += 1
                } catch let error as CommonError {
                    guard case .throttled = error else { throw error }
                    break
                }
                let batch = Array(addresses[(round * 50) % 300..<((round * 50) % 300 + 50)])
                do {
                    _ = try await Circles.invite(batch, to: circle, by: mallory, baseURL: "http://x", on: app.db)
                } catch is MailPolicyError {
                    refusals += 1
                }
            }
            // assert
            #expect(circles == Circles.createsPerDay.limit)
            #expect(refusals == circles)
            #expect(try await Self.queued(app, kind: "contact").count == 0)
            // a batch that fits goes out whole, and the next one that does not fit sends nothing
            let circle = try await Circles.require(slug: "cheap-watches-0", on: app.db)
            #expect(try await Circles.invite(Array(addresses[0..<MailPolicy.firstWeekBudget]), to: circle, by: mallory, baseURL: "http://x", on: app.db)
                    == MailPolicy.firstWeekBudget)
            await #expect(throws: MailPolicyError.self) {
                try await Circles.invite(["client299@outside.example"], to: circle, by: mallory, baseURL: "http://x", on: app.db)
            }
            #expect(try await Self.queued(app, kind: "contact").count == MailPolicy.firstWeekBudget)
        }
    }

    @Test("an invitation skips an address already emailed today, and still invites the rest")
    func invitationSkipsMailedToday() async throws {
        try await withGuild { app, _ in
            // setup: Hana emailed Bayo this morning; both Bayo and Cora are her contacts
            let (hana, _) = try await Profile.make(name: "Hana Host", niches: ["bookkeeping"], on: app)
            let owner = try hana.requireID()
            let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo", emails: [.init("bayo@outside.example")])), owner: owner, on: app.db)
            _ = try await Contacts.create(ContactDraft(fields: .init(name: "Cora", emails: [.init("cora@outside.example")])), owner: owner, on: app.db)
            _ = try await ContactMail.send(.init(subject: "Hi", body: "Coffee?"), contact: bayo, followUp: nil, from: hana, config: app.guildConfig, on: app.db)
            let circle = try await Circles.create(CircleFields(name: "Morning Circle", city: "Leeds"), by: owner, on: app.db)
            // act
            let sent = try await Circles.invite(["bayo@outside.example", "cora@outside.example"], to: circle, by: hana, baseURL: "http://x", on: app.db)
            // assert
            #expect(sent == 1)
            struct Row: Decodable { var email: String }
            #expect(try await app.db.sql.raw("SELECT email FROM circle_invitations").all(decoding: Row.self).map(\.email) == ["cora@outside.example"])
        }
    }

    @Test("an address that is not a member's nor a contact's is not invited")
    func strangersAreNotInvited() async throws {
        try await withGuild { app, _ in
            let hana = try await User.make(name: "Hana Host", on: app)
            let member = try await User.make(name: "Mo Member", email: "mo@example.com", on: app)
            let circle = try await Circles.create(CircleFields(name: "Morning Circle", city: "Leeds"), by: hana.requireID(), on: app.db)
            await #expect(throws: MailPolicyError.notVouched(field: "emails", address: "stranger@outside.example")) {
                try await Circles.invite([member.email, "stranger@outside.example"], to: circle, by: hana, baseURL: "http://x", on: app.db)
            }
            #expect(try await app.count("outbox_messages") == 0)
            #expect(try await app.count("circle_invitations") == 0)
            #expect(try await Circles.invite([member.email], to: circle, by: hana, baseURL: "http://x", on: app.db) == 1)
        }
    }

    @Test("a vouched contact gets the email with a stop link; the same address twice a day is refused with when to retry")
    func vouchedContact() async throws {
        try await withGuild { app, mail in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo", emails: [.init("bayo@okafor.example")])), owner: owner, on: app.db)
            _ = try await ContactMail.send(.init(subject: "Following up", body: "Shall we meet?"), contact: bayo, followUp: nil, from: ada,
                                           config: app.guildConfig, on: app.db)
            try await app.outboxDelivery().deliverDue()
            let sent = try #require(mail.sent.first)
            #expect(sent.to == "bayo@okafor.example" && sent.body.contains("Shall we meet?"))
            let stop = try #require(sent.unsubscribeURL)
            #expect(stop.contains("/mail/stop/") && sent.body.contains(stop))
            #expect(sent.rfc5322.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            do {
                _ = try await ContactMail.send(.init(subject: "Again", body: "Hello?"), contact: bayo, followUp: nil, from: ada,
                                               config: app.guildConfig, on: app.db)
                Issue.record("a second email to the same address on the same day went out")
            } catch let error as MailPolicyError {
                #expect(error.status == .tooManyRequests && Int(error.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
            }
            #expect(try await app.count("contact_emails") == 1)
        }
    }

    @Test("one click on the stop link: the address gets nothing more from anyone, and the token is kept only hashed")
    func suppressed() async throws {
        try await withGuild { app, mail in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping"], on: app)
            var contacts: [UUID: UUID] = [:]
            for user in [ada, bo] {
                contacts[try user.requireID()] = try await Contacts.create(
                    ContactDraft(fields: .init(name: "Cora", emails: [.init("cora@outside.example")])), owner: user.requireID(), on: app.db)
            }
            _ = try await ContactMail.send(.init(subject: "Hi", body: "Hello"), contact: contacts[try ada.requireID()], followUp: nil, from: ada,
                                           config: app.guildConfig, on: app.db)
            try await app.outboxDelivery().deliverDue()
            let stop = try #require(mail.sent.first?.unsubscribeURL)
            let token = String(try #require(stop.split(separator: "/").last))
            // act: a mail client's one-click POST (no session, no CSRF token)
            #expect(try await app.testing().sendRequest(.GET, "/mail/stop/\(token)").status == .ok)
            #expect(try await app.testing().sendRequest(.POST, "/mail/stop/\(token)", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                        body: ByteBuffer(string: "List-Unsubscribe=One-Click")).status == .ok)
            // assert: Bo cannot write to Cora either, and nothing is queued
            let before = try await app.count("outbox_messages")
            await #expect(throws: MailPolicyError.suppressed) {
                try await ContactMail.send(.init(subject: "Hi", body: "Hello"), contact: contacts[try bo.requireID()], followUp: nil, from: bo,
                                           config: app.guildConfig, on: app.db)
            }
            #expect(try await app.count("outbox_messages") == before)
            struct Hashes: Decodable { var token_hash: String }
            let stored = try await app.db.sql.raw("SELECT token_hash FROM mail_stop_tokens").all(decoding: Hashes.self).map(\.token_hash)
            #expect(!stored.contains(token) && stored.contains(SecureToken.hash(token)))
            #expect(try await app.testing().sendRequest(.POST, "/mail/stop/not-a-real-token-at-all-1234").status == .notFound)
        }
    }

    @Test("one member's actions email another at most the pair cap a day; the rest stay in the app")
    func memberPairCap() async throws {
        try await withGuild { app, _ in
            let (giver, _) = try await Profile.make(name: "Gina Giver", niches: ["bookkeeping"], on: app)
            let (receiver, profile) = try await Profile.make(name: "Rae Receiver", niches: ["bookkeeping"], on: app)
            let count = MailPolicy.perMemberPair + 5
            for index in 0..<count {
                _ = try await Referrals.create(
                    ReferralDraft(receiverSlug: profile.slug, clientName: "Client \(index)", clientEmail: "client\(index)@example.com", clientPhone: "", need: "Books",
                                  note: "", urgency: ReferralUrgency.thisMonth.rawValue, consent: true),
                    by: giver, baseURL: "http://x", on: app.db)
            }
            struct N: Decodable { var n: Int }
            let emails = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE recipient = \(bind: receiver.email)").first(decoding: N.self)?.n
            let notes = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: receiver.requireID())").first(decoding: N.self)?.n
            #expect(emails == MailPolicy.perMemberPair && notes == count)
        }
    }

    @Test("an admin raises one account's budget; the first week's budget is smaller than an established account's")
    func budgets() async throws {
        try await withGuild { app, _ in
            let fresh = try await User.make(name: "New Member", on: app)
            let old = try await User.make(name: "Old Member", on: app)
            try await app.db.sql.raw("UPDATE users SET created_at = \(bind: Date().addingTimeInterval(-30 * 86_400)) WHERE id = \(bind: old.requireID())").run()
            #expect(try await MailPolicy.budget(of: fresh.requireID(), on: app.db) == MailPolicy.firstWeekBudget)
            #expect(try await MailPolicy.budget(of: old.requireID(), on: app.db) == MailPolicy.dailyBudget)
            let admin = try await User.make(name: "Ada Admin", role: .admin, on: app)
            let browser = Browser(app)
            _ = try await browser.signIn(email: admin.email)
            #expect(try await browser.post("/admin/users/\(fresh.requireID())/mail-budget", ["daily": "250"]).status == .seeOther)
            #expect(try await MailPolicy.remaining(for: fresh.requireID(), on: app.db) == 250)
            #expect(try await browser.post("/admin/users/\(fresh.requireID())/mail-budget", ["daily": "lots"]).status == .unprocessableEntity)
            #expect(try await browser.post("/admin/users/\(fresh.requireID())/mail-budget", ["daily": ""]).status == .seeOther)
            #expect(try await MailPolicy.budget(of: fresh.requireID(), on: app.db) == MailPolicy.firstWeekBudget)
        }
    }

    @Test("after delivery the outbox keeps the kind, status and domain, not the text; admins see no private subject")
    func purgedAfterDelivery() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo", emails: [.init("bayo@okafor.example")])),
                                                 owner: ada.requireID(), on: app.db)
            _ = try await ContactMail.send(.init(subject: "Private: my divorce lawyer", body: "The bank details are…"), contact: bayo, followUp: nil,
                                           from: ada, config: app.guildConfig, on: app.db)
            let admin = try await User.make(name: "Ada Admin", role: .admin, on: app)
            let browser = Browser(app)
            _ = try await browser.signIn(email: admin.email)
            let pending = try await browser.get("/admin").body.string
            #expect(!pending.contains("divorce") && !pending.contains("bayo@") && pending.contains("@okafor.example"))
            try await app.outboxDelivery().deliverDue()
            struct Kept: Decodable { var recipient: String; var subject: String; var body: String; var kind: String; var status: String }
            let rows = try await app.db.sql.raw("SELECT recipient, subject, body, kind, status FROM outbox_messages").all(decoding: Kept.self)
            #expect(rows.count == 1 && rows[0].recipient == "@okafor.example" && rows[0].subject.isEmpty && rows[0].body.isEmpty)
            #expect(rows[0].kind == "contact" && rows[0].status == "sent")
        }
    }

    @Test("rows written before the rule are purged in batches, failed ones a week later")
    func purgeBacklog() async throws {
        try await withGuild { app, _ in
            for index in 0..<25 {
                try await Outbox.enqueue(to: "r\(index)@example.com", subject: "Reset link", body: "secret \(index)", for: .account, on: app.db)
            }
            try await app.db.sql.raw("UPDATE outbox_messages SET status = 'sent'").run()
            try await Outbox.enqueue(to: "late@example.com", subject: "S", body: "B", for: .account, on: app.db)
            try await app.db.sql.raw("UPDATE outbox_messages SET status = 'failed' WHERE recipient = 'late@example.com'").run()
            #expect(try await OutboxRetention.purge(batch: 10, on: app.db) == 25)
            #expect(try await OutboxRetention.purge(now: Date().addingTimeInterval(8 * 86_400), batch: 10, on: app.db) == 1)
            struct N: Decodable { var n: Int }
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM outbox_messages WHERE body <> '' OR recipient NOT LIKE '@%'")
                .first(decoding: N.self)?.n == 0)
        }
    }

    @Test("notification unsubscribe links are kept hashed, one per email, and a used one is spent")
    func unsubscribeHashed() async throws {
        try await withGuild { app, mail in
            let (giver, _) = try await Profile.make(name: "Gina Giver", niches: ["bookkeeping"], on: app)
            let (receiver, profile) = try await Profile.make(name: "Rae Receiver", niches: ["bookkeeping"], on: app)
            _ = try await Referrals.create(
                ReferralDraft(receiverSlug: profile.slug, clientName: "Client", clientEmail: "client@example.com", clientPhone: "", need: "Books",
                              note: "", urgency: ReferralUrgency.thisMonth.rawValue, consent: true),
                by: giver, baseURL: "http://x", on: app.db)
            try await app.outboxDelivery().deliverDue()
            let link = try #require(mail.sent.first { $0.to == receiver.email }?.unsubscribeURL)
            let token = String(try #require(link.split(separator: "/").last))
            struct H: Decodable { var token_hash: String }
            let stored = try await app.db.sql.raw("SELECT token_hash FROM unsubscribe_links").all(decoding: H.self).map(\.token_hash)
            #expect(!stored.contains(token) && stored.contains(SecureToken.hash(token)))
            #expect(try await app.testing().sendRequest(.POST, "/unsubscribe/\(token)").status == .ok)
            #expect(try await Notifications.emails(receiver.requireID(), .referralReceived, on: app.db) == false)
            #expect(try await app.testing().sendRequest(.POST, "/unsubscribe/\(token)").status == .notFound)
        }
    }

    @Test("each creation route has a per-account daily limit: events, requests and referrals past it are 429 and write nothing")
    func creationLimits() async throws {
        try await withGuild { app, _ in
            // setup
            let (member, _) = try await Profile.make(name: "Mallory Spam", niches: ["bookkeeping"], on: app)
            let (_, receiver) = try await Profile.make(name: "Rae Receiver", niches: ["bookkeeping"], on: app)
            func refused(_ work: () async throws -> Void) async -> Bool {
                do { try await work(); return false } catch CommonError.throttled { return true } catch { return false }
            }
            // act + assert: each limit is reached exactly, and the next is refused
            for index in 0..<Events.createsPerDay.limit { _ = try await makeEvent("Event \(index)", host: member, recurrence: "FREQ=WEEKLY;COUNT=3", on: app) }
            let events = try await app.count("events")
            #expect(await refused { _ = try await makeEvent("One more", host: member, on: app) })
            #expect(try await app.count("events") == events)
            for index in 0..<ReferralRequests.createsPerDay.limit {
                _ = try await ReferralRequests.create(RequestDraft(title: "Looking for \(index)", details: "", niches: ["bookkeeping"], city: "", remote: true),
                                                      by: member, on: app.db)
            }
            #expect(await refused {
                _ = try await ReferralRequests.create(RequestDraft(title: "One more", details: "", niches: ["bookkeeping"], city: "", remote: true),
                                                      by: member, on: app.db)
            })
            #expect(try await app.count("referral_requests") == ReferralRequests.createsPerDay.limit)
            func referral(_ index: Int) -> ReferralDraft {
                ReferralDraft(receiverSlug: receiver.slug, clientName: "Client \(index)", clientEmail: "c\(index)@example.com", clientPhone: "",
                              need: "Books", note: "", urgency: ReferralUrgency.thisMonth.rawValue, consent: true)
            }
            for index in 0..<Referrals.createsPerDay.limit { _ = try await Referrals.create(referral(index), by: member, baseURL: "http://x", on: app.db) }
            #expect(await refused { _ = try await Referrals.create(referral(99), by: member, baseURL: "http://x", on: app.db) })
            #expect(try await app.count("referrals") == Referrals.createsPerDay.limit)
        }
    }

    @Test("a backup's log names a runbook client only sealed: the row holds no client name")
    func sealedHandoffLabel() async throws {
        try await withGuild { app, _ in
            // setup: Ada is out; Bo, her accepted backup, logs what he did for a client
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, boProfile) = try await Profile.make(name: "Bo Lin", niches: ["bookkeeping"], on: app)
            let adaID = try ada.requireID(), boID = try bo.requireID()
            let cipher = try #require(app.runbookCipher)
            let asked = try await CoverBackups.ask(adaID, backupSlug: boProfile.slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
            try await CoverBackups.answer(asked, accept: true, by: boID, baseURL: "", on: app.db)
            _ = try await Runbooks.save(RunbookDocument(clients: [.init(id: "harlow", name: "Harlow Bakery", email: "", phone: "", inProgress: "",
                                                                         deadline: "", mustHear: "")]), member: adaID, cipher: cipher, on: app.db)
            let item = try #require(try await Runbooks.load(adaID, cipher: cipher, on: app.db).0.clients.first?.id)
            _ = try await CoverActivations.start(adaID, by: .member(adaID), expectedBack: nil, note: "", baseURL: "", cipher: cipher, on: app.db)
            // act
            let id = try await CoverHandoffs.record(for: adaID, by: boID, item: item, note: "Sent the proofs", cipher: cipher, on: app.db)
            // assert
            struct Row: Decodable { var item_label: String }
            let stored = try #require(try await app.db.sql.raw("SELECT item_label FROM cover_handoffs WHERE id = \(bind: id)").first(decoding: Row.self))
            #expect(!stored.item_label.contains("Harlow") && stored.item_label.hasPrefix(CoverHandoffs.sealedPrefix))
            let activation = try #require(try await CoverActivations.history(adaID, on: app.db).first)
            #expect(try await CoverHandoffs.list(activation.id, cipher: cipher, on: app.db).first?.item_label == "Client: Harlow Bakery")
        }
    }
}
