import Foundation
import Validation

struct ReferPage: Encodable, FormPage {
    var layout: Layout
    var receiver: ProfileDetail
    var form: ReferralsController.ReferForm
    var urgencies: [Choice]
    var errors: [String: String] = [:]
    var formError: String?
    /// The title of the board request this referral answers.
    var fromRequest: String?
}

extension ReferralsController.ReferForm {
    init(need: String?, urgency: String) {
        self.init(clientName: nil, clientEmail: nil, clientPhone: nil, need: need, note: nil, urgency: urgency, consent: nil,
                  request: nil, answer: nil)
    }
}

/// A referral as its giver, receiver or an admin sees it.
struct ReferralView: Encodable, Sendable {
    var id: UUID
    var giverName: String
    var giverSlug: String?
    var receiverName: String
    var receiverSlug: String?
    var coveringFor: String?
    var direction: String
    var clientName: String
    var clientEmail: String
    var clientPhone: String
    var need: String
    var note: String
    var urgency: String
    var status: String
    var statusLabel: String
    var reason: String?
    var value: String?
    var passedFrom: UUID?
    var fromRequest: UUID?
    var created: String

    init(_ r: ReferralRecord, viewer: UUID?) {
        id = r.id
        giverName = r.giver_name
        giverSlug = r.giver_slug
        receiverName = r.receiver_name
        receiverSlug = r.receiver_slug
        coveringFor = r.covering_for_name
        direction = r.giver_id == viewer ? "given" : r.receiver_id == viewer ? "received" : "between others"
        clientName = r.client_name
        clientEmail = r.client_email
        clientPhone = r.client_phone
        need = r.need
        note = r.note
        urgency = ReferralUrgency(rawValue: r.urgency)?.label ?? r.urgency
        status = r.status
        statusLabel = r.statusValue.label
        reason = r.reason
        fromRequest = r.request_id
        value = r.value?.display
        passedFrom = r.passed_from_id
        created = CalendarDay.string(r.created_at)
    }
}

struct LedgerPage: Encodable {
    var layout: Layout
    var summary: ReciprocitySummary
    var role: String
    var status: String
    var statuses: [Choice]
    var items: [Item]

    struct Item: Encodable {
        var id: UUID
        var direction: String
        var other: String
        var clientName: String
        var status: String
        var statusLabel: String
        var value: String?
        var created: String

        init(_ r: ReferralRecord, viewer: UUID?) {
            id = r.id
            direction = r.giver_id == viewer ? "given" : "received"
            other = r.giver_id == viewer ? r.receiver_name : r.giver_name
            clientName = r.client_name
            status = r.status
            statusLabel = r.statusValue.label
            value = r.value?.display
            created = CalendarDay.string(r.created_at)
        }
    }
}

struct ReferralPage: Encodable, FormPage {
    var layout: Layout
    var referral: ReferralView
    var history: [Event]
    var isReceiver: Bool
    var isGiver: Bool
    var next: [Choice]
    var canPassOn: Bool
    var canWriteTestimonial: Bool
    var testimonialSubject: String
    var errors: [String: String] = [:]
    var formError: String?

    struct Event: Encodable {
        var who: String
        var what: String
        var reason: String?
        var when: String

        init(_ e: ReferralEventRecord) {
            who = e.actor_name ?? "A former member"
            let to = ReferralStatus(rawValue: e.to_status)
            if e.from_status == nil {
                what = "referred the client"
            } else if let to, to == .won, let minor = e.value_minor, let currency = e.currency {
                what = "marked it won: \(Money(minorUnits: minor, currency: currency).display)"
            } else {
                what = "marked it \(to?.label.lowercased() ?? e.to_status)"
            }
            reason = e.reason
            when = e.at.shortDisplay + " UTC"
        }
    }
}
