import Fluent
import Foundation
import Testing
import VaporTesting

@testable import Guild

@Suite("Contacts API")
struct ContactsAPITests {
    @Test("create, list, read, change and delete a contact; bad fields are 422 naming the field; unknown niches 409")
    func lifecycle() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let token = cast.giverToken
            let created = try await api(.POST, "/api/v1/contacts", token: token, json: """
                {"name":"Bayo Okafor","business":"Okafor Plumbing","emails":["bayo@okafor.example"],"phones":["+44 7700 900123"],
                 "tags":["clients"],"niches":["bookkeeping"],"notes":"**Prefers** email","member":"\(cast.receiverSlug)"}
                """, on: app)
            #expect(created.status == .created)
            struct Contact: Decodable { var id: String; var name: String; var notesHtml: String; var cooling: Bool; var tags: [String]; var member: Member? }
            struct Member: Decodable { var slug: String? }
            let contact = try created.content.decode(Contact.self)
            #expect(contact.notesHtml.contains("<strong>Prefers</strong>") && contact.tags == ["clients"] && contact.member?.slug == cast.receiverSlug)
            #expect(!contact.cooling)  // just added
            let list = try await api(.GET, "/api/v1/contacts?q=okafor", token: token, on: app).body.string
            #expect(list.contains("Bayo Okafor") && list.contains("\"total\":1"))
            let changed = try await api(.PATCH, "/api/v1/contacts/\(contact.id)", token: token, json: #"{"business":"Okafor & Sons"}"#, on: app)
            #expect(changed.status == .ok && changed.body.string.contains("Okafor & Sons") && changed.body.string.contains("bayo@okafor.example"))
            let bad = try await api(.PATCH, "/api/v1/contacts/\(contact.id)", token: token, json: #"{"phones":["call me maybe"]}"#, on: app)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("\"field\":\"phones\""))
            let blankTag = try await api(.POST, "/api/v1/contacts", token: token, json: #"{"name":"Cy","tags":["  "]}"#, on: app)
            #expect(blankTag.status == .unprocessableEntity && blankTag.body.string.contains("\"field\":\"tags\""))
            let unknown = try await api(.POST, "/api/v1/contacts", token: token, json: #"{"name":"Cy","niches":["underwater basket weaving"]}"#, on: app)
            // The contact would be fine; the niche it names is not on Guild: a conflict naming the field.
            #expect(unknown.status == .conflict && unknown.body.string.contains("\"field\":\"niches\""))
            #expect(try await app.count("contacts") == 1)
            #expect(try await api(.DELETE, "/api/v1/contacts/\(contact.id)", token: token, on: app).status == .noContent)
            #expect(try await api(.GET, "/api/v1/contacts/\(contact.id)", token: token, on: app).status == .notFound)
        }
    }

    @Test("follow-ups: create on an own contact, list due ones, mark done; another member's contact is 404")
    func followUps() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let mine = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo")), owner: cast.giver.requireID(), on: app.db)
            let theirs = try await Contacts.create(ContactDraft(fields: .init(name: "Zed")), owner: cast.other.requireID(), on: app.db)
            let created = try await api(.POST, "/api/v1/followups", token: cast.giverToken,
                                        json: #"{"contactId":"\#(mine)","purpose":"Coffee?","due":"\#(FollowUps.day(offsetDays: -1))"}"#, on: app)
            #expect(created.status == .created && created.body.string.contains("\"state\":\"overdue\""))
            let other = try await api(.POST, "/api/v1/followups", token: cast.giverToken,
                                      json: #"{"contactId":"\#(theirs)","purpose":"Coffee?","due":"2026-12-24"}"#, on: app)
            #expect(other.status == .notFound)
            let badDay = try await api(.POST, "/api/v1/followups", token: cast.giverToken,
                                       json: #"{"contactId":"\#(mine)","purpose":"Coffee?","due":"2026-02-30"}"#, on: app)
            #expect(badDay.status == .unprocessableEntity && badDay.body.string.contains("\"field\":\"due\""))
            struct Item: Decodable { var id: String }
            struct List: Decodable { var items: [Item] }
            let due = try await api(.GET, "/api/v1/followups?due=today", token: cast.giverToken, on: app).content.decode(List.self)
            #expect(due.items.count == 1)
            let done = try await api(.POST, "/api/v1/followups/\(due.items[0].id)/done", token: cast.giverToken, on: app)
            #expect(done.status == .ok && done.body.string.contains("\"state\":\"done\""))
            #expect(try await api(.GET, "/api/v1/followups", token: cast.giverToken, on: app).content.decode(List.self).items.isEmpty)
        }
    }

    @Test("import a vCard or a CSV body; export vCard 4.0; over 10 MB is 413")
    func files() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            var headers: HTTPHeaders = ["Content-Type": "text/vcard"]
            headers.bearerAuthorization = .init(token: cast.giverToken)
            let vcard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë Ng\r\nEMAIL:zoe@example.com\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:nobody\r\nEND:VCARD\r\n"
            let imported = try await app.testing().sendRequest(.POST, "/api/v1/contacts/import", headers: headers, body: ByteBuffer(string: vcard))
            #expect(imported.status == .ok)
            #expect(imported.body.string.contains("\"created\":1") && imported.body.string.contains("\"position\":2"))
            headers.replaceOrAdd(name: .contentType, value: "text/csv")
            let csv = try await app.testing().sendRequest(.POST, "/api/v1/contacts/import", headers: headers,
                                                          body: ByteBuffer(string: "Name,Email\r\nBayo,bayo@example.com\r\nZoë,ZOE@example.com\r\n"))
            #expect(csv.body.string.contains("\"created\":1") && csv.body.string.contains("\"updated\":1"))
            let big = try await app.testing().sendRequest(.POST, "/api/v1/contacts/import", headers: headers,
                                                          body: ByteBuffer(string: String(repeating: "a", count: 10 * 1_048_576 + 1)))
            #expect(big.status == .payloadTooLarge)
            let export = try await api(.GET, "/api/v1/contacts/export.vcf?version=4.0", token: cast.giverToken, on: app)
            #expect(export.status == .ok && export.body.string.contains("VERSION:4.0") && export.body.string.contains("FN:Zoë Ng"))
        }
    }
}
