import Fluent
import Formats
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// A reply as a mail server would pipe it to `guild mail receive`.
private func reply(to: String, messageID: String, inReplyTo: String? = nil, references: String? = nil, text: String = "Yes, Thursday works.") -> Data {
    var lines = ["From: Bayo Okafor <bayo@okafor.example>", "To: \(to)", "Subject: Re: Coffee?", "Message-ID: <\(messageID)>",
                 "Date: Tue, 01 Dec 2026 10:00:00 +0000"]
    if let inReplyTo { lines.append("In-Reply-To: <\(inReplyTo)>") }
    if let references { lines.append("References: \(references)") }
    lines += ["Content-Type: text/plain; charset=utf-8", "", text, "", "> On Monday Ada wrote:", "> Coffee?"]
    return Data(lines.joined(separator: "\r\n").utf8)
}

@Suite("Contact email and replies")
struct ContactMailTests {
    @Test("a card from an internationalised domain is kept as written and mailed at its A-labels")
    func internationalDomain() async throws {
        try await withGuild { app, mail in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            // As Google or a phone exports it: UTF-8 throughout.
            let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Inés García\r\nEMAIL;TYPE=WORK:ines@garcía21.example\r\n"
                + "EMAIL;TYPE=HOME:garcía.21@mail.example\r\nEND:VCARD\r\n"
            let parsed = try VCard.parse(Data(card.utf8))
            let report = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: owner, on: app.db)
            #expect(report.created == 1 && report.problems.isEmpty)
            let id = try #require(try await ContactList.rows(of: owner, .init(), on: app.db).first?.id)
            #expect(try await Contacts.handles(of: [id], on: app.db)[id]?.map(\.value) == ["ines@garcía21.example", "garcía.21@mail.example"])
            // The second address is kept, but Guild does not promise SMTPUTF8: it says so and sends nothing.
            await #expect(throws: ContactsError.self) {
                try await ContactMail.send(.init(to: "garcía.21@mail.example", subject: "Hola", body: "¿Café?"), contact: id, followUp: nil,
                                           from: ada, config: app.guildConfig, on: app.db)
            }
            _ = try await ContactMail.send(.init(subject: "Hola", body: "¿Café el jueves?"), contact: id, followUp: nil,
                                           from: ada, config: app.guildConfig, on: app.db)
            try await app.outboxDelivery().deliverDue()
            #expect(mail.sent.map(\.to) == ["ines@xn--garca21-bza.example"])
        }
    }

    @Test("an email leaves in the member's name with a one-off Reply-To; its reply marks the follow-up answered, logs the touch and reaches the member; forged, unknown and replayed replies do nothing")
    func replies() async throws {
        try await withGuild(configure: { $0.replyDomain = "reply.guild.test" }) { app, mail in
            // setup: Ada writes to Bayo about a follow-up
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo Okafor", emails: [.init("bayo@okafor.example")])),
                                                 owner: owner, on: app.db)
            let followUp = try await FollowUps.create(contact: bayo, purpose: "Coffee?", due: FollowUps.day(), owner: owner, on: app.db)
            let emailID = try await ContactMail.send(.init(subject: "Coffee?", body: "Thursday at 10?"), contact: bayo, followUp: followUp,
                                                     from: ada, config: app.guildConfig, on: app.db)
            try await app.outboxDelivery().deliverDue()
            let sent = try #require(mail.sent.first)
            let replyTo = try #require(sent.replyTo)
            #expect(sent.to == "bayo@okafor.example" && sent.fromName == "Ada Lovelace")
            #expect(sent.rfc5322.contains("From: \"Ada Lovelace (via Guild)\" <guild@localhost>"))
            #expect(sent.rfc5322.contains("Reply-To: \(replyTo)") && sent.messageID == "\(emailID.uuidString.lowercased())@guild")
            #expect(replyTo.wholeMatch(of: /reply\+[0-9a-f]{32}@reply\.guild\.test/) != nil)
            let config = app.guildConfig
            // act + assert: a forged shape, a token Guild never issued, and a message answering nothing do nothing
            #expect(try await MailReceive.receive(reply(to: "reply+NOT-OURS@reply.guild.test", messageID: "f1@x"), config: config, on: app.db) == .malformedToken)
            #expect(try await MailReceive.receive(reply(to: "reply+\(String(repeating: "ab", count: 16))@reply.guild.test", messageID: "f2@x"),
                                                  config: config, on: app.db) == .unknownToken)
            #expect(try await MailReceive.receive(reply(to: "ada@example.com", messageID: "f3@x", inReplyTo: "\(UUID().uuidString.lowercased())@guild"),
                                                  config: config, on: app.db) == .noReference)
            #expect(try await MailReceive.receive(reply(to: "ada@example.com", messageID: "f4@x"), config: config, on: app.db) == .noReference)
            #expect(try await FollowUps.find(followUp, owner: owner, on: app.db).answered_at == nil)
            // the real reply, then the same message again
            #expect(try await MailReceive.receive(reply(to: replyTo, messageID: "r1@okafor.example"), config: config, on: app.db)
                    == .matched(contactEmail: emailID))
            #expect(try await MailReceive.receive(reply(to: replyTo, messageID: "r1@okafor.example"), config: config, on: app.db)
                    == .replayed(messageID: "r1@okafor.example"))
            let answered = try await FollowUps.find(followUp, owner: owner, on: app.db)
            #expect(answered.answered_at != nil && answered.done_at != nil)
            let touches = try await FollowUps.touches(of: bayo, owner: owner, on: app.db)
            #expect(touches.map(\.kind) == ["reply", "email"])
            #expect(touches.first?.outcome == "Replied to “Coffee?”: Yes, Thursday works.")
            let forwarded = try await OutboxMessage.query(on: app.db).filter(\.$recipient == ada.email).all()
            #expect(forwarded.count == 1 && forwarded.first?.replyTo == "bayo@okafor.example")
            #expect(forwarded.first?.body.contains("Yes, Thursday works.") == true)
            #expect(try await Contacts.find(bayo, owner: owner, on: app.db)?.last_reply_at != nil)
        }
    }

    @Test("a Message-ID in References is no credential: without the reply token nothing is answered or forwarded")
    func referencesAlone() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo", emails: [.init("bayo@okafor.example")])), owner: owner, on: app.db)
            let emailID = try await ContactMail.send(.init(subject: "Quote", body: "Attached."), contact: bayo, followUp: nil, from: ada,
                                                     config: app.guildConfig, on: app.db)
            let guildID = "\(emailID.uuidString.lowercased())@guild"
            let queued = try await app.count("outbox_messages")
            let outcome = try await MailReceive.receive(
                reply(to: ada.email, messageID: "r2@okafor.example", inReplyTo: guildID,
                      references: "<\(guildID)> <bayo-first@okafor.example>"), config: app.guildConfig, on: app.db)
            #expect(outcome == .noReference)
            #expect(try await ContactMail.sent(to: bayo, owner: owner, on: app.db).first?.answered_at == nil)
            #expect(try await app.count("outbox_messages") == queued)
        }
    }

    @Test("a message to the reply address from someone who is not the contact is forwarded marked, answers nothing; forwards per thread are capped")
    func forgedSender() async throws {
        try await withGuild(configure: { $0.replyDomain = "reply.guild.test" }) { app, mail in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            let cora = try await Contacts.create(ContactDraft(fields: .init(name: "Cora", emails: [.init("cora@client.example")])), owner: owner, on: app.db)
            let emailID = try await ContactMail.send(.init(subject: "Invoice", body: "Attached."), contact: cora, followUp: nil, from: ada,
                                                     config: app.guildConfig, on: app.db)
            try await app.outboxDelivery().deliverDue()
            let replyTo = try #require(mail.sent.first?.replyTo)
            // act: Mallory (who saw the Reply-To) writes with new bank details, then again and again with new Message-IDs
            var outcomes: [MailReceive.Outcome] = []
            for index in 0..<(MailReceive.forwardsPerDay + 3) {
                let forged = Data("From: Cora <mallory@evil.example>\r\nTo: \(replyTo)\r\nSubject: Re: Invoice\r\nMessage-ID: <m\(index)@evil.example>\r\n\r\nOur new bank details: 0000\r\n".utf8)
                outcomes.append(try await MailReceive.receive(forged, config: app.guildConfig, on: app.db))
            }
            // assert
            #expect(outcomes.first == .notFromContact(contactEmail: emailID))
            #expect(outcomes.filter { $0 == .notFromContact(contactEmail: emailID) }.count == MailReceive.forwardsPerDay)
            #expect(outcomes.last == .tooMany(contactEmail: emailID))
            #expect(try await ContactMail.sent(to: cora, owner: owner, on: app.db).first?.answered_at == nil)
            let forwards = try await OutboxMessage.query(on: app.db).filter(\.$recipient == ada.email).all()
            #expect(forwards.count == MailReceive.forwardsPerDay)
            #expect(forwards.allSatisfy { $0.subject.hasPrefix("Not from Cora") && $0.replyTo == nil && $0.fromName == nil })
            #expect(try await MailReceive.receive(Data(count: MailReceive.maxBytes + 1), config: app.guildConfig, on: app.db) == .tooLarge)
        }
    }

    @Test("emails only to the contact's own addresses; a subject and a text; a contact with no address says so")
    func sendingRules() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo", emails: [.init("bayo@okafor.example")])), owner: owner, on: app.db)
            let phoneOnly = try await Contacts.create(ContactDraft(fields: .init(name: "Cy", phones: [.init("555 0101")])), owner: owner, on: app.db)
            await #expect(throws: ContactsError.notTheirAddress) {
                try await ContactMail.send(.init(to: "someone@else.example", subject: "Hi", body: "Hello"), contact: bayo, followUp: nil,
                                           from: ada, config: app.guildConfig, on: app.db)
            }
            await #expect(throws: ContactsError.noEmail) {
                try await ContactMail.send(.init(subject: "Hi", body: "Hello"), contact: phoneOnly, followUp: nil, from: ada, config: app.guildConfig, on: app.db)
            }
            await #expect(throws: ContactsError.self) {
                try await ContactMail.send(.init(subject: " ", body: "Hello"), contact: bayo, followUp: nil, from: ada, config: app.guildConfig, on: app.db)
            }
            let emails = try await app.count("contact_emails"), queued = try await app.count("outbox_messages")
            #expect(emails == 0 && queued == 0)
        }
    }

    @Test("the morning follow-up email is opt-in, lists what is due, and goes out once across two servers")
    func digest() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (cy, _) = try await Profile.make(name: "Cy Quiet", niches: ["bookkeeping"], on: app)
            for user in [ada, cy] {
                let contact = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo")), owner: user.requireID(), on: app.db)
                _ = try await FollowUps.create(contact: contact, purpose: "Send the quote", due: FollowUps.day(), owner: user.requireID(), on: app.db)
            }
            try await Notifications.setEmails(ada.requireID(), .followUpDigest, true, on: app.db)
            let morning = Calendar(identifier: .iso8601).startOfDay(for: Date(), in: TimeZone(identifier: "UTC")!).addingTimeInterval(9 * 3600)
            #expect(try await FollowUpDigest.send(now: morning.addingTimeInterval(-3 * 3600), baseURL: "http://g", on: app.db) == 0)
            try await withSecondInstance(of: app) { second, _ in
                async let one = FollowUpDigest.send(now: morning, baseURL: "http://g", on: app.db)
                async let two = FollowUpDigest.send(now: morning, baseURL: "http://g", on: second.db)
                let queued = try await one + two
                #expect(queued == 1)
            }
            #expect(try await FollowUpDigest.send(now: morning.addingTimeInterval(3600), baseURL: "http://g", on: app.db) == 0)
            let messages = try await OutboxMessage.query(on: app.db).all()
            #expect(messages.map(\.recipient) == [ada.email])
            #expect(messages.first?.body.contains("- Bayo: Send the quote") == true && messages.first?.unsubscribeURL?.hasPrefix("http://g/unsubscribe/") == true)
        }
    }

    @Test("the response chart counts each week's emails sent and answered beside referrals")
    func chart() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let owner = try ada.requireID()
            for n in 0..<3 {
                // Three people: Guild emails one address at most once a day for a member.
                let bayo = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo \(n)", emails: [.init("bayo\(n)@okafor.example")])),
                                                     owner: owner, on: app.db)
                let id = try await ContactMail.send(.init(subject: "Note \(n)", body: "Hello"), contact: bayo, followUp: nil, from: ada,
                                                    config: app.guildConfig, on: app.db)
                if n < 2 { try await ContactMail.markAnswered(id, owner: owner, on: app.db) }
            }
            let chart = try await ResponseChart.load(owner, on: app.db)
            #expect(chart.sent == 3 && chart.answered == 2 && chart.rate == 67)
            #expect(chart.weeks.last?.sent == 3 && chart.weeks.count == 12)
            #expect(chart.svg.contains("<title>Week of \(chart.weeks.last!.label): 2 answered</title>"))
        }
    }
}
