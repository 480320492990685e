import Foundation
import SafeMarkdown
import Validation

/// A contact as a line of the list.
struct ContactCardView: Encodable, Sendable {
    var id: UUID
    var name: String
    var business: String
    var email: String?
    var phone: String?
    var tags: [String]
    var lastTouch: String?
    var cooling: Bool
    var nextDue: String?
    var onGuild: Bool

    init(_ row: ContactListRow, tags: [String], settings: ContactSettings, now: Date = Date()) {
        id = row.id
        name = row.name
        business = row.business
        email = row.email
        phone = row.phone
        self.tags = tags
        lastTouch = row.last_touch_at?.dayDisplay
        let days = settings.coolingDays(tags: tags)
        // Cooling counts from the last touch, or from when the card was added.
        cooling = (row.last_touch_at ?? row.created_at) < now.addingTimeInterval(-Double(days) * 86_400)
        nextDue = row.next_due
        onGuild = row.member_id != nil
    }
}

extension ContactCardView {
    /// The card's `<li>` on the contact list, written here rather than in Leaf: with 50 cards a page,
    /// Leaf's loop and its conditionals were most of the page's time (issue 17's benchmark: 44 % of
    /// the CPU). Every value goes through `SafeMarkdown.escape`, as `#()` would.
    var html: String {
        let e = SafeMarkdown.escape
        var out = "<li class=\"member\">\n    <h2><a href=\"/contacts/\(id.uuidString)\">\(e(name))</a>"
        if onGuild { out += " <span class=\"tag\">on Guild</span>" }
        if cooling { out += " <span class=\"status cooling\">cooling</span>" }
        out += "</h2>\n"
        if !business.isEmpty { out += "    <p>\(e(business))</p>\n" }
        out += "    <p>"
        if let email { out += "<a href=\"mailto:\(e(email))\">\(e(email))</a>" }
        if let phone { out += " · <a href=\"tel:\(e(phone))\">\(e(phone))</a>" }
        out += "</p>\n    <p class=\"hint\">" + (lastTouch.map { "Last touch \(e($0))" } ?? "No touch yet")
        if let nextDue { out += " · follow-up \(e(nextDue))" }
        for tag in tags { out += " <span class=\"tag\">\(e(tag))</span>" }
        return out + "</p>\n  </li>\n"
    }
}

struct ContactsListPage: Encodable {
    struct Tag: Encodable, Sendable { var tag: String; var count: Int }
    var layout: Layout
    var query: String
    var tag: String
    var cooling: Bool
    var tags: [Tag]
    /// How many cards this page shows, and their `<li>`s (`ContactCardView.html`).
    var shown: Int
    var itemsHTML: String
    var total: Int
    /// Keyset links with the filters kept, or nil on the first and last pages.
    var nextLink: String?
    var previousLink: String?
}

/// The quick-add and edit forms share these fields; emails, phones and tags are one box each, one per line or comma.
struct ContactFormPage: Encodable, FormPage {
    struct Form: Encodable, Sendable {
        var name = ""
        var business = ""
        var emails = ""
        var phones = ""
        var website = ""
        var met = ""
        var tags = ""
        var niches = ""
        var notes = ""
        var member = ""
        var followUpDays = ""
        var followUpPurpose = ""
    }

    var layout: Layout
    var form: Form
    /// nil on the quick-add page.
    var contactID: UUID?
    /// The edit form takes several addresses (one per line); the quick-add one of each, with the phone's keyboards.
    var editing = false
    var errors: [String: String] = [:]
    var formError: String?
}

struct ContactPage: Encodable, FormPage {
    struct Handle: Encodable, Sendable { var value: String; var types: String; var href: String }
    struct FollowUp: Encodable, Sendable {
        var id: UUID
        var purpose: String
        var day: String
        var state: String
        var open: Bool
        var emailed: Bool
    }
    struct Touch: Encodable, Sendable { var kind: String; var outcome: String; var when: String }
    struct Sent: Encodable, Sendable { var id: UUID; var subject: String; var recipient: String; var when: String; var answered: Bool }
    struct Member: Encodable, Sendable { var slug: String; var name: String }

    var layout: Layout
    var id: UUID
    var name: String
    var business: String
    var website: String
    var met: String
    var notesHTML: String
    var emails: [Handle]
    var phones: [Handle]
    var tags: [String]
    var niches: [NicheTag]
    var member: Member?
    /// A Guild member whose account email is one of this contact's, not yet linked.
    var suggestion: Member?
    var lastTouch: String?
    var lastReply: String?
    var cooling: Bool
    var coolingDays: Int
    var followUps: [FollowUp]
    var touches: [Touch]
    var sent: [Sent]
    var touchKinds: [Choice]
    var defaultDue: String
    var today: String
    var errors: [String: String] = [:]
    var formError: String?
}

struct ContactEmailPage: Encodable, FormPage {
    var layout: Layout
    var contactID: UUID
    var contactName: String
    var addresses: [String]
    var followUpID: UUID?
    var replyDomain: String
    var form: ContactMail.Draft
    var errors: [String: String] = [:]
    var formError: String?
}


struct TodayPage: Encodable {
    struct Item: Sendable {
        var id: UUID
        var contactID: UUID
        var contactName: String
        var purpose: String
        var day: String
        var emailed: Bool

        /// The follow-up's `<li>` with its actions, written here rather than in Leaf for the reason
        /// `ContactCardView.html` gives; every value escaped.
        func html(today: String, nextWeek: String, csrf: String) -> String {
            let e = SafeMarkdown.escape
            let hidden = "<input type=\"hidden\" name=\"csrf\" value=\"\(e(csrf))\"><input type=\"hidden\" name=\"back\" value=\"/today\">"
            let contact = "/contacts/\(contactID.uuidString)", followUp = "/followups/\(id.uuidString)"
            return """
                  <li>
                    <a href="\(contact)"><strong>\(e(contactName))</strong></a> — \(e(purpose))\(day != today ? " <span class=\"hint\">(\(e(day)))</span>" : "")
                    <div class="row-actions">
                      <a class="button" href="\(contact)/email?followup=\(id.uuidString)">Email</a>
                      <form method="post" action="\(followUp)/done" class="inline">\(hidden)<button type="submit">Done</button></form>
                      <form method="post" action="\(followUp)/answered" class="inline">\(hidden)<button type="submit">They answered</button></form>
                      <form method="post" action="\(followUp)/snooze" class="inline">\(hidden)<input type="hidden" name="until" value="\(e(nextWeek))"><button type="submit">Snooze a week</button></form>
                    </div>
                  </li>

                """
        }
    }

    /// A section of the list: how many, and their `<li>`s.
    struct Section: Encodable, Sendable {
        var count: Int
        var html: String

        init(_ items: [Item], today: String, nextWeek: String, csrf: String) {
            count = items.count
            html = items.map { $0.html(today: today, nextWeek: nextWeek, csrf: csrf) }.joined()
        }
    }

    var layout: Layout
    var today: String
    var tomorrow: String
    var nextWeek: String
    var overdue: Section
    var due: Section
    var snoozed: Section
    var waiting: Section
    var chart: ResponseChart
    var digestOn: Bool
}

struct ContactImportPage: Encodable, FormPage {
    var layout: Layout
    var report: ContactImport.Report?
    var errors: [String: String] = [:]
    var formError: String?
}

struct ContactMappingPage: Encodable, FormPage {
    struct Column: Encodable, Sendable {
        var index: Int
        var header: String
        var samples: [String]
        var field: String
    }
    var layout: Layout
    var importID: UUID
    var filename: String
    var rows: Int
    var columns: [Column]
    var fields: [Choice]
    var errors: [String: String] = [:]
    var formError: String?
}

struct DuplicatesPage: Encodable {
    var layout: Layout
    var pairs: [ContactMerge.Pair]
}

struct MergePage: Encodable {
    struct Side: Encodable, Sendable {
        var id: UUID
        var name: String
        var business: String
        var website: String
        var met: String
        var emails: [String]
        var phones: [String]
        var tags: [String]
        var followUps: Int
        var notes: String
    }
    var layout: Layout
    var keep: Side
    var other: Side
    var sides: [Side] { [keep, other] }

    enum CodingKeys: String, CodingKey { case layout, keep, other, sides }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layout, forKey: .layout)
        try container.encode(keep, forKey: .keep)
        try container.encode(other, forKey: .other)
        try container.encode(sides, forKey: .sides)
    }
}

struct ContactSettingsPage: Encodable, FormPage {
    var layout: Layout
    var replyDomain: String
    var defaultDomain: String
    var cooling: String
    var tagCooling: String
    var errors: [String: String] = [:]
    var formError: String?
}
