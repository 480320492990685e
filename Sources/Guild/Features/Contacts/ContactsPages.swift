import Foundation
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

struct ContactsListPage: Encodable {
    struct Tag: Encodable, Sendable { var tag: String; var count: Int }
    var layout: Layout
    var query: String
    var tag: String
    var cooling: Bool
    var tags: [Tag]
    var items: [ContactCardView]
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
    struct Item: Encodable, Sendable {
        var id: UUID
        var contactID: UUID
        var contactName: String
        var purpose: String
        var day: String
        var emailed: Bool
    }
    var layout: Layout
    var today: String
    var tomorrow: String
    var nextWeek: String
    var overdue: [Item]
    var due: [Item]
    var snoozed: [Item]
    var waiting: [Item]
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
