import Foundation
import SafeMarkdown
import Validation

struct CircleCardView: Encodable, Sendable {
    var slug: String
    var name: String
    var place: String
    var members: Int

    init(_ circle: CircleRecord) {
        slug = circle.slug
        name = circle.name
        place = circle.online ? (circle.city.isEmpty ? "Online" : "\(circle.city) and online") : circle.city
        members = circle.member_count
    }
}

struct CirclesListPage: Encodable {
    var layout: Layout
    var query: String
    var circles: [CircleCardView]
    var total: Int
    var nextPage: Int?
    var previousPage: Int?
}

struct CircleFormPage: Encodable, FormPage {
    struct Form: Encodable, Sendable {
        var name = ""
        var description = ""
        var city = ""
        var online = false
    }
    var layout: Layout
    var form: Form
    /// nil when creating.
    var slug: String?
    var errors: [String: String] = [:]
    var formError: String?
}

/// A line of an event list, times in the event's zone (and the viewer's when it differs).
struct EventCardView: Encodable, Sendable {
    var id: UUID
    var title: String
    var when: String
    var viewerWhen: String?
    var place: String
    var circleName: String?
    var circleSlug: String?
    var repeats: Bool
    var seatsLeft: Int?
    var full: Bool

    init(_ row: Events.ListRow, viewer: TimeZone?) {
        let zone = TimeZone(identifier: row.time_zone) ?? TimeZone(identifier: "UTC")!
        id = row.id
        title = row.title
        when = EventTimes.brief(row.starts_at, zone: zone) + " (\(zone.identifier))"
        if let viewer, viewer.secondsFromGMT(for: row.starts_at) != zone.secondsFromGMT(for: row.starts_at) {
            viewerWhen = EventTimes.brief(row.starts_at, zone: viewer) + " your time"
        }
        place = !row.place.isEmpty ? row.place : !row.online_url.isEmpty ? "Online" : "Place to be announced"
        circleName = row.circle_name
        circleSlug = row.circle_slug
        repeats = row.series_id != nil || row.recurrence != nil
        seatsLeft = row.capacity.map { max(0, $0 - row.going) }
        full = row.capacity.map { row.going >= $0 } ?? false
    }
}

extension EventCardView {
    /// The card's `<li>` on the event lists, written here rather than in a Leaf loop (the contact
    /// list's profile found Leaf's loop most of such a page's time); every value escaped.
    var html: String {
        let e = SafeMarkdown.escape
        var out = "  <li class=\"member\">\n    <h2><a href=\"/events/\(id.uuidString)\">\(e(title))</a>"
        if repeats { out += " <span class=\"tag\">repeats</span>" }
        out += "</h2>\n    <p>\(e(when))" + (viewerWhen.map { " · \(e($0))" } ?? "") + "</p>\n"
        out += "    <p class=\"business\">\(e(place))"
        if let circleName, let circleSlug { out += " · <a href=\"/circles/\(e(circleSlug))\">\(e(circleName))</a>" }
        out += "</p>\n"
        if full {
            out += "    <p class=\"hint\">Full: a waitlist is open</p>\n"
        } else if let seatsLeft, seatsLeft > 0 {
            out += "    <p class=\"hint\">\(seatsLeft) seats left</p>\n"
        }
        return out + "  </li>\n"
    }

    /// The "also show times in" choices, with the visitor's selected.
    static func zoneOptions(selected: String) -> String {
        EventFields.commonZones.map { zone in
            "<option value=\"\(zone)\"\(zone == selected ? " selected" : "")>\(zone)</option>"
        }.joined()
    }
}

struct CirclePage: Encodable {
    struct Member: Encodable, Sendable {
        var userID: UUID
        var name: String
        var slug: String?
        var business: String
        var niches: [String]
        var organizer: Bool
    }
    /// "3 web designers": a niche and how many members have it.
    struct NicheCount: Encodable, Sendable { var niche: String; var count: Int }

    var layout: Layout
    var slug: String
    var name: String
    var place: String
    var descriptionHTML: String
    var memberCount: Int
    var nicheCounts: [NicheCount]
    var members: [Member]
    var events: [EventCardView]
    var signedIn: Bool
    var isMember: Bool
    var isOrganizer: Bool
    var invitation: String
    var errors: [String: String] = [:]
    var formError: String?
}

extension CirclePage: FormPage {}

struct EventFormPage: Encodable, FormPage {
    struct Form: Encodable, Sendable {
        var title = ""
        var description = ""
        var start = ""
        var minutes = "90"
        var timeZone = "Europe/London"
        var place = ""
        var onlineURL = ""
        var capacity = ""
        var attendeesPublic = true
        var recurrence = ""
        var circle = ""
        var agenda: [Agenda] = []
    }
    struct Agenda: Encodable, Sendable {
        var index: Int
        var speaker: String
        var topic: String
        var cancelled: Bool
        /// What the label shows: "Speaker 1".
        var number: Int
        init(index: Int, speaker: String, topic: String, cancelled: Bool) {
            self.index = index
            self.speaker = speaker
            self.topic = topic
            self.cancelled = cancelled
            number = index + 1
        }
    }
    var layout: Layout
    var form: Form
    /// nil when creating.
    var eventID: UUID?
    /// Circles the member organizes, for "of which circle".
    var circles: [Choice]
    var zones: [String]
    var repeatChoices: [Choice]
    var errors: [String: String] = [:]
    var formError: String?
}

struct EventPage: Encodable, FormPage {
    struct Agenda: Encodable, Sendable { var speaker: String; var topic: String; var cancelled: Bool }
    struct Person: Encodable, Sendable {
        var userID: UUID
        var name: String
        var slug: String?
        var business: String
        var niches: [String]
        var state: String
        var checkedIn: Bool
    }
    var layout: Layout
    var id: UUID
    var title: String
    var descriptionHTML: String
    var when: String
    var viewerWhen: String?
    var place: String
    var onlineURL: String
    var circleName: String?
    var circleSlug: String?
    var repeats: String?
    var capacity: Int?
    var going: Int
    var seatsLeft: Int?
    var cancelled: Bool
    var cancelReason: String
    var over: Bool
    var agenda: [Agenda]
    var signedIn: Bool
    var state: String
    var answer: String
    var canManage: Bool
    var checkInOpen: Bool
    var checkedIn: Bool
    var mayListAttendees: Bool
    var attendees: [Person]
    /// After the event, to those who were there: who else was.
    var whoWasThere: [Person]
    var showWhoWasThere: Bool
    var errors: [String: String] = [:]
    var formError: String?
}

struct CheckInPage: Encodable {
    var layout: Layout
    var id: UUID
    var title: String
    var when: String
    var code: String
    var open: Bool
    var people: [EventPage.Person]
    var checkedIn: Int
}

extension EventFields {
    /// The common zones first in the picker; any IANA name can be typed through the API.
    static let commonZones = [
        "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Amsterdam", "Europe/Warsaw",
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Toronto",
        "America/Vancouver", "America/Mexico_City", "America/Sao_Paulo", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg",
        "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "UTC",
    ]
}
