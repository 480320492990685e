import Fluent
import Formats
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// What the database keeps for the list (migration 031) against what counting would say.
private func counts(of owner: UUID, on db: any Database) async throws -> (kept: Int, counted: Int, keptTags: [String: Int], countedTags: [String: Int]) {
    struct Count: Decodable { var n: Int }
    struct Tag: Decodable { var tag: String; var n: Int }
    let counted = try await db.sql.raw("SELECT COUNT(*) AS n FROM contacts WHERE owner_id = \(bind: owner)").first(decoding: Count.self)?.n ?? 0
    let countedTags = try await db.sql.raw("SELECT tag, COUNT(*) AS n FROM contact_tags WHERE owner_id = \(bind: owner) GROUP BY tag")
        .all(decoding: Tag.self)
    return (try await ContactList.count(of: owner, on: db), counted,
            Dictionary(uniqueKeysWithValues: try await ContactList.tagCounts(of: owner, on: db).map { ($0.tag, $0.count) }),
            Dictionary(uniqueKeysWithValues: countedTags.map { ($0.tag, $0.n) }))
}

@Suite("Contact list: kept counts and keyset pages")
struct ContactListTests {
    @Test("the contact and tag counts the list shows follow every write: add, import, edit, merge, delete, and account deletion")
    func countsFollowWrites() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let (bo, _) = try await Profile.make(name: "Bo Lin", niches: ["plumbing"], on: app)
            let owner = try ada.requireID(), other = try bo.requireID()
            func check(_ expected: Int, _ tags: [String: Int], _ line: Int = #line) async throws {
                let seen = try await counts(of: owner, on: app.db)
                #expect(seen.kept == expected && seen.counted == expected, "line \(line): kept \(seen.kept), counted \(seen.counted)")
                #expect(seen.keptTags == tags && seen.countedTags == tags, "line \(line): kept \(seen.keptTags), counted \(seen.countedTags)")
            }
            try await check(0, [:])
            let first = try await Contacts.create(ContactDraft(fields: .init(name: "Bayo Okafor", emails: [.init("bayo@okafor.example")], tags: ["clients"])),
                                                  owner: owner, on: app.db)
            let second = try await Contacts.create(ContactDraft(fields: .init(name: "B. Okafor", emails: [.init("office@okafor.example")], tags: ["clients", "breakfast"])),
                                                   owner: owner, on: app.db)
            _ = try await Contacts.create(ContactDraft(fields: .init(name: "Someone Else", tags: ["clients"])), owner: other, on: app.db)
            try await check(2, ["clients": 2, "breakfast": 1])
            let file = (1...30).map { "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card \($0)\r\nCATEGORIES:prospects,breakfast\r\nEND:VCARD\r\n" }.joined()
                + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bayo\r\nEMAIL:bayo@okafor.example\r\nCATEGORIES:partners\r\nEND:VCARD\r\n"
            let parsed = VCard.parse(text: file)
            let report = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: owner, on: app.db)
            #expect(report.created == 30 && report.updated == 1)
            try await check(32, ["clients": 2, "breakfast": 31, "prospects": 30, "partners": 1])
            try await Contacts.update(second, ContactDraft(fields: .init(name: "B. Okafor", emails: [.init("office@okafor.example")], tags: ["vip"])),
                                      owner: owner, on: app.db)
            try await check(32, ["clients": 1, "breakfast": 30, "prospects": 30, "partners": 1, "vip": 1])
            try await ContactMerge.merge(keep: first, other: second, name: "Bayo Okafor", business: nil, website: nil, owner: owner, on: app.db)
            try await check(31, ["clients": 1, "breakfast": 30, "prospects": 30, "partners": 1, "vip": 1])
            try await Contacts.delete(first, owner: owner, on: app.db)
            try await check(30, ["breakfast": 30, "prospects": 30])
            try await ada.delete(on: app.db)
            try await check(0, [:])
            #expect(try await counts(of: other, on: app.db).kept == 1)
        }
    }

    @Test("Next and Previous walk 120 contacts by name in pages of 50, with a filter kept, never skipping or repeating one")
    func keysetPages() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let browser = Browser(app)
            try await browser.signIn(email: ada.email)
            let owner = try ada.requireID()
            // Twins share a name, so the id breaks the tie.
            let names = (0..<120).map { "Contact \(String(format: "%03d", $0 / 2))" }
            for (index, name) in names.enumerated() {
                _ = try await Contacts.create(ContactDraft(fields: .init(name: name, tags: index % 3 == 0 ? ["breakfast"] : [])), owner: owner, on: app.db)
            }
            func page(_ path: String) async throws -> (ids: [String], next: String?, previous: String?) {
                let html = try await browser.get(path).body.string
                let ids = html.matches(of: /<h2><a href="\/contacts\/([0-9A-F-]{36})">/).map { String($0.output.1) }
                let link = { (label: String) in
                    html.firstMatch(of: try! Regex("<a href=\"([^\"]*)\">\(label)</a>"))
                        .map { ($0.output[1].substring.map(String.init) ?? "").replacingOccurrences(of: "&amp;", with: "&") }
                }
                return (ids, link("Next"), link("Previous"))
            }
            var seen: [String] = []
            var path: String? = "/contacts"
            var pages: [[String]] = []
            while let current = path {
                let shown = try await page(current)
                pages.append(shown.ids)
                seen += shown.ids
                #expect((shown.previous == nil) == (pages.count == 1))
                path = shown.next
            }
            #expect(pages.map(\.count) == [50, 50, 20])
            #expect(seen.count == 120 && Set(seen).count == 120)
            let inOrder = try await ContactList.rows(of: owner, .init(limit: 500), on: app.db).map(\.id.uuidString)
            #expect(seen == inOrder)
            // Back from the last page gives the middle page again, and from there the first.
            let last = try await page("/contacts?after=\(pages[1].last!)")
            let middle = try await page(last.previous!)
            #expect(middle.ids == pages[1] && middle.next != nil)
            let firstAgain = try await page(middle.previous!)
            #expect(firstAgain.ids == pages[0] && firstAgain.previous == nil)
            // A filter travels with the links: 40 tagged contacts, one page.
            let tagged = try await page("/contacts?tag=breakfast")
            #expect(tagged.ids.count == 40 && tagged.next == nil)
            // An unknown or foreign id starts from the beginning rather than failing.
            #expect(try await page("/contacts?after=\(UUID())").ids == pages[0])
        }
    }

    @Test("the list and Today, written without Leaf, still escape every value a member typed")
    func escaping() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let browser = Browser(app)
            try await browser.signIn(email: ada.email)
            let evil = "<script>alert(1)</script> & \"Bo\" 'Lin'"
            let contact = try await Contacts.create(ContactDraft(fields: .init(name: evil, business: "<b>Pipes</b>", tags: ["<i>vip</i>"])),
                                                    owner: ada.requireID(), on: app.db)
            _ = try await FollowUps.create(contact: contact, purpose: "Send <img src=x onerror=alert(1)>", due: FollowUps.day(), owner: ada.requireID(), on: app.db)
            for path in ["/contacts", "/today"] {
                let page = try await browser.get(path).body.string
                #expect(!page.contains("<script>alert") && !page.contains("<img src=x") && !page.contains("<b>Pipes") && !page.contains("<i>vip"), "\(path)")
                #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bo&quot; &#39;Lin&#39;"), "\(path)")
            }
        }
    }
}
