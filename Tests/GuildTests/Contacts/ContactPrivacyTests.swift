import Fluent
import Foundation
import SQLKit
import Testing
import Validation
import VaporTesting
import Formats

@testable import Guild

@Suite("Contacts never reveal who uses Guild with which address")
struct ContactPrivacyTests {
    @Test("a contact page names the member behind an address only when the two have exchanged a referral or a one-to-one")
    func memberSuggestion() async throws {
        try await withGuild { app, _ in
            // setup: Mallory imports a guessed address; it is Priya's private account email
            let (mallory, _) = try await Profile.make(name: "Mallory Guess", niches: ["bookkeeping"], on: app)
            let (priya, profile) = try await Profile.make(name: "Priya Private", niches: ["bookkeeping"], on: app)
            let contact = try await Contacts.create(ContactDraft(fields: .init(name: "Guess", emails: [.init(priya.email)])),
                                                    owner: mallory.requireID(), on: app.db)
            let browser = Browser(app)
            _ = try await browser.signIn(email: mallory.email)
            // act + assert: no suggestion for a stranger
            let before = try await browser.get("/contacts/\(contact)").body.string
            #expect(!before.contains("Priya Private") && !before.contains("/m/\(profile.slug)"))
            // once Mallory has referred a client to Priya, they know each other on Guild
            _ = try await Referrals.create(
                ReferralDraft(receiverSlug: profile.slug, clientName: "Client", clientEmail: "client@example.com", clientPhone: "", need: "Books",
                              note: "", urgency: ReferralUrgency.thisMonth.rawValue, consent: true),
                by: mallory, baseURL: "http://x", on: app.db)
            let after = try await browser.get("/contacts/\(contact)").body.string
            #expect(after.contains("Priya Private") && after.contains("/m/\(profile.slug)"))
        }
    }

    @Test("an import stops at the contacts a member may keep, says which cards were left out, and lists a bounded number of problems")
    func importCap() async throws {
        try await withGuild { app, _ in
            // setup: 11 cards (one named by its address only) for a member allowed 5 contacts
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            var text = ""
            for index in 0..<10 { text += "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card \(index)\r\nEMAIL:card\(index)@example.com\r\nEND:VCARD\r\n" }
            text += "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:nameless@example.com\r\nEND:VCARD\r\n"
            let parsed = try VCard.parse(Data(text.utf8))
            // act
            let report = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: ada.requireID(), cap: 5, on: app.db)
            // assert
            #expect(report.created == 5 && report.updated == 0)
            #expect(report.problems.filter { $0.reason.contains("over the limit of 5 contacts") }.count == 6)
            #expect(try await app.count("contacts") == 5)
            // importing the same file again fills in the five and adds nobody
            let again = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: ada.requireID(), cap: 5, on: app.db)
            #expect(again.created == 0 && again.updated == 5)
            #expect(try await app.count("contacts") == 5)
        }
    }
}
