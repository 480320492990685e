import Fluent
import Formats
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

private func member(_ name: String, on app: Application) async throws -> (User, Browser) {
    let (user, _) = try await Profile.make(name: name, niches: ["bookkeeping"], on: app)
    let browser = Browser(app)
    try await browser.signIn(email: user.email)
    return (user, browser)
}

private func upload(_ path: String, file: String, name: String, type: String, as browser: Browser, on app: Application) async throws -> TestingHTTPResponse {
    let csrf = try await browser.currentCSRF()
    let boundary = "guildboundary"
    let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
        + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n"
        + file + "\r\n--\(boundary)--\r\n"
    var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
    headers.add(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
    return try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
}

private func names(of user: User, on app: Application) async throws -> [String] {
    try await ContactList.rows(of: user.requireID(), .init(limit: 500), on: app.db).map(\.name)
}

@Suite("Contacts")
struct ContactsTests {
    @Test("quick add at an event: a card and its follow-up in one tap, back to an empty form; a bad address keeps the words and names the field")
    func quickAdd() async throws {
        try await withGuild { app, _ in
            // setup
            let (ada, browser) = try await member("Ada Lovelace", on: app)
            // act
            let saved = try await browser.post("/contacts?quick=1", [
                "name": "Bayo Okafor", "business": "Okafor Plumbing", "emails": "bayo@okafor.example", "phones": "07700 900123",
                "met": "Wednesday breakfast", "followUpDays": "3", "followUpPurpose": "Send the quote",
            ])
            let refused = try await browser.post("/contacts?quick=1", ["name": "Cy", "emails": "cy at example", "met": "Wednesday breakfast"])
            // assert
            #expect(saved.status == .seeOther)
            #expect(saved.headers.first(name: .location) == "/contacts/new?met=Wednesday%20breakfast")
            #expect(try await names(of: ada, on: app) == ["Bayo Okafor"])
            let open = try await FollowUps.open(of: ada.requireID(), on: app.db)
            #expect(open.map(\.purpose) == ["Send the quote"] && open.first?.due_on == FollowUps.day(offsetDays: 3))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("“cy at example” is not an email address.") && refused.body.string.contains("value=\"Cy\""))
            #expect(try await names(of: ada, on: app) == ["Bayo Okafor"])
        }
    }

    @Test("nobody else lists, reads or exports a member's contacts, organizers and admins included")
    func privacy() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await LedgerCast.make(app)
            let id = try await Contacts.create(ContactDraft(fields: .init(name: "Secret Client", emails: [.init("secret@example.com")])),
                                               owner: cast.giver.requireID(), on: app.db)
            // act + assert
            for token in [cast.receiverToken, cast.organizerToken, cast.adminToken] {
                #expect(try await api(.GET, "/api/v1/contacts/\(id)", token: token, on: app).status == .notFound)
                let list = try await api(.GET, "/api/v1/contacts", token: token, on: app).body.string
                #expect(!list.contains("Secret Client"))
                #expect(!(try await api(.GET, "/api/v1/contacts/export.vcf", token: token, on: app).body.string.contains("Secret")))
            }
            #expect(try await api(.GET, "/api/v1/contacts/\(id)", token: cast.giverToken, on: app).body.string.contains("Secret Client"))
            #expect(try await api(.GET, "/api/v1/contacts", token: nil, on: app).status == .unauthorized)
        }
    }

    @Test("a vCard upload: new cards are added, a card with a known address fills that contact in, broken cards are listed, 10 MB is refused")
    func vcardUpload() async throws {
        try await withGuild { app, _ in
            // setup
            let (ada, browser) = try await member("Ada Lovelace", on: app)
            _ = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo Okafor", emails: [.init("bayo@okafor.example")])),
                                          owner: ada.requireID(), on: app.db)
            let file = """
                BEGIN:VCARD\r
                VERSION:3.0\r
                FN:Bayo Okafor\r
                ORG:Okafor Plumbing\r
                EMAIL;TYPE=WORK:BAYO@okafor.example\r
                TEL;TYPE=CELL:07700 900123\r
                END:VCARD\r
                BEGIN:VCARD\r
                VERSION:3.0\r
                FN:Zoë Ng\r
                EMAIL:zoe@example.com\r
                CATEGORIES:breakfast club\r
                END:VCARD\r
                BEGIN:VCARD\r
                VERSION:3.0\r
                FN:Bad Address\r
                EMAIL:not an address\r
                END:VCARD\r

                """
            // act
            let response = try await upload("/contacts/import", file: file, name: "contacts.vcf", type: "text/vcard", as: browser, on: app)
            let tooBig = try await upload("/contacts/import", file: String(repeating: "A", count: 10 * 1_048_576 + 8192), name: "big.vcf",
                                          type: "text/vcard", as: browser, on: app)
            // assert
            #expect(response.status == .ok)
            let page = response.body.string
            #expect(page.contains("1 new contacts, 1 filled in"))
            #expect(page.contains("card 3 (line 14): “not an address” is not an email address."))
            #expect(try await names(of: ada, on: app) == ["Bayo Okafor", "Zoë Ng"])
            let bayo = try #require(try await ContactList.rows(of: ada.requireID(), .init(query: "bayo"), on: app.db).first)
            #expect(bayo.business == "Okafor Plumbing" && bayo.phone == "07700 900123")
            #expect(tooBig.status == .payloadTooLarge)
            #expect(tooBig.body.string.contains("at most 10 MB"))
        }
    }

    @Test("the vCard export reads back the same contacts, through our reader and with a UID that re-imports onto the same contact")
    func export() async throws {
        try await withGuild { app, _ in
            let (ada, browser) = try await member("Ada Lovelace", on: app)
            let id = try await Contacts.create(ContactDraft(fields: .init(
                name: "Zoë Ng", business: "Ng; Partners, Ltd.", emails: [.init("zoe@example.com")], phones: [.init("+44 20 7946 0000")],
                notes: "Line one\nline two", tags: ["breakfast club"])), owner: ada.requireID(), on: app.db)
            for version in ["3.0", "4.0"] {
                let response = try await browser.get("/contacts/export.vcf?version=\(version)")
                #expect(response.headers.contentType?.description.hasPrefix("text/vcard") == true)
                let card = try #require(VCard.parse(text: response.body.string).cards.first)
                #expect(card.name == "Zoë Ng" && card.business == "Ng; Partners, Ltd." && card.notes == "Line one\nline two")
                #expect(card.tags == ["breakfast club"] && card.uid.hasSuffix(id.uuidString))
            }
            // Re-importing the export changes nothing: the UID and the address point at the same contact.
            let exported = try await browser.get("/contacts/export.vcf").body.string
            _ = try await upload("/contacts/import", file: exported, name: "back.vcf", type: "text/vcard", as: browser, on: app)
            #expect(try await names(of: ada, on: app) == ["Zoë Ng"])
        }
    }

    @Test("a CSV upload asks which column is which, recognising Google's headers, and imports under the mapping chosen")
    func csvMapping() async throws {
        try await withGuild { app, _ in
            let (ada, browser) = try await member("Ada Lovelace", on: app)
            let csv = "First Name,Last Name,E-mail 1 - Value,Shoe size\r\nBayo,Okafor,bayo@okafor.example,44\r\nCy,,cy@example.com,40\r\n"
            let mapping = try await upload("/contacts/import", file: csv, name: "google.csv", type: "text/csv", as: browser, on: app)
            #expect(mapping.status == .ok)
            let html = mapping.body.string
            #expect(html.contains("<option value=\"first_name\" selected>") && html.contains("<option value=\"email\" selected>"))
            #expect(try await names(of: ada, on: app).isEmpty)  // nothing imported before the mapping is confirmed
            let importID = try #require(html.range(of: #"/contacts/import/[0-9A-F-]{36}"#, options: .regularExpression).map { String(html[$0].suffix(36)) })
            let done = try await browser.post("/contacts/import/\(importID)", ["column0": "first_name", "column1": "last_name", "column2": "email", "column3": "notes"])
            #expect(done.status == .ok && done.body.string.contains("2 new contacts"))
            #expect(try await names(of: ada, on: app) == ["Bayo Okafor", "Cy"])
            let again = try await browser.post("/contacts/import/\(importID)", ["column0": "name"])
            #expect(again.status == .notFound)  // an import is confirmed once
        }
    }

    @Test("duplicates by email, phone or name are listed; a merge keeps both addresses, the chosen name and every follow-up")
    func duplicatesAndMerge() async throws {
        try await withGuild { app, _ in
            let (ada, browser) = try await member("Ada Lovelace", on: app)
            let owner = try ada.requireID()
            let first = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo Okafor", emails: [.init("bayo@okafor.example")],
                                                                            phones: [.init("+44 7700 900123")])), owner: owner, on: app.db)
            let second = try await Contacts.create(ContactDraft(fields: .init(name: "B. Okafor", business: "Okafor Plumbing",
                                                                             emails: [.init("office@okafor.example")], phones: [.init("+44 (7700) 900-123")])),
                                                   owner: owner, on: app.db)
            _ = try await FollowUps.create(contact: second, purpose: "Send the quote", due: FollowUps.day(), owner: owner, on: app.db)
            let pairs = try await ContactMerge.duplicates(of: owner, on: app.db)
            #expect(pairs.count == 1 && pairs.first?.reason == "the same phone number")
            let page = try await browser.get("/contacts/\(first)/merge/\(second)")
            #expect(page.status == .ok && page.body.string.contains("Okafor Plumbing"))
            let merged = try await browser.post("/contacts/\(first)/merge/\(second)", ["name": "Bayo Okafor", "business": "Okafor Plumbing", "website": ""])
            #expect(merged.status == .seeOther)
            #expect(try await names(of: ada, on: app) == ["Bayo Okafor"])
            let handles = try await Contacts.handles(of: [first], on: app.db)[first] ?? []
            #expect(Set(handles.filter { $0.kind == "email" }.map(\.value)) == ["bayo@okafor.example", "office@okafor.example"])
            #expect(handles.filter { $0.kind == "phone" }.count == 1)
            #expect(try await FollowUps.of(contact: first, owner: owner, on: app.db).map(\.purpose) == ["Send the quote"])
            #expect(try await ContactMerge.duplicates(of: owner, on: app.db).isEmpty)
        }
    }

    @Test("Today: overdue, due, snoozed and waiting for an answer; done and snooze move them")
    func today() async throws {
        try await withGuild { app, _ in
            let (ada, browser) = try await member("Ada Lovelace", on: app)
            let owner = try ada.requireID()
            let contact = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo", emails: [.init("bayo@example.com")])), owner: owner, on: app.db)
            let late = try await FollowUps.create(contact: contact, purpose: "Late one", due: FollowUps.day(offsetDays: -2), owner: owner, on: app.db)
            let due = try await FollowUps.create(contact: contact, purpose: "Due one", due: FollowUps.day(), owner: owner, on: app.db)
            _ = try await FollowUps.create(contact: contact, purpose: "Later one", due: FollowUps.day(offsetDays: 5), owner: owner, on: app.db)
            var list = try await FollowUps.today(of: owner, today: FollowUps.day(), on: app.db)
            #expect(list.overdue.map(\.purpose) == ["Late one"] && list.due.map(\.purpose) == ["Due one"] && list.snoozed.isEmpty)
            #expect(try await browser.post("/followups/\(late)/snooze", ["until": FollowUps.day(offsetDays: 7), "back": "/today"]).headers.first(name: .location) == "/today")
            #expect(try await browser.post("/followups/\(due)/done", [:]).status == .seeOther)
            list = try await FollowUps.today(of: owner, today: FollowUps.day(), on: app.db)
            #expect(list.overdue.isEmpty && list.due.isEmpty && list.snoozed.map(\.purpose) == ["Late one"])
            let refused = try await browser.post("/followups/\(late)/snooze", ["until": "2026-02-30"])
            #expect(refused.status == .seeOther)  // told by a flash, nothing changed
            let page = try await browser.get("/today").body.string
            #expect(page.contains("Snoozed (1)") && page.contains("Due today (0)") && page.contains("<title id=\"chart-title\">"))
        }
    }
}
