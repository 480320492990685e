import Vapor

/// What can go wrong with circles and events; each names the field at fault where there is one.
enum EventsError: AppError, Equatable {
    case invalid(field: String, String)
    case circleNotFound
    case eventNotFound
    case memberNotFound
    case notOrganizer
    case notAMember
    case lastOrganizer
    case cancelled
    case over
    case wrongCode
    case notYet
    case notThere
    case unknownTimeZone(String)
    case oneToOneNotFound
    case notInvitee
    case settled
    case tooManyProposals(perDay: Int)
    /// Well-formed but not possible now: a time already past, a slot not offered, oneself as the other.
    case unavailable(field: String, String)

    var status: HTTPResponseStatus {
        switch self {
        case .invalid: .unprocessableEntity
        case .circleNotFound, .eventNotFound, .memberNotFound, .unknownTimeZone, .oneToOneNotFound: .notFound
        case .notInvitee: .forbidden
        case .settled, .unavailable: .conflict
        case .tooManyProposals: .tooManyRequests
        case .notOrganizer: .forbidden
        // Well-formed, but the circle or event as it stands cannot take it.
        case .notAMember, .lastOrganizer, .cancelled, .over, .notYet, .notThere: .conflict
        // Not holding the venue's code is not being allowed in.
        case .wrongCode: .forbidden
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .circleNotFound, .eventNotFound, .memberNotFound, .oneToOneNotFound: "not_found"
        case .notInvitee: "not_invitee"
        case .settled: "already_settled"
        case .unavailable: "not_available"
        case .tooManyProposals: "too_many_requests"
        case .notOrganizer: "not_organizer"
        case .notAMember: "not_a_member"
        case .lastOrganizer: "last_organizer"
        case .cancelled: "event_cancelled"
        case .over: "event_over"
        case .wrongCode: "wrong_code"
        case .notYet: "check_in_not_open"
        case .notThere: "not_checked_in"
        case .unknownTimeZone: "unknown_time_zone"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message): message
        case .circleNotFound: "There is no such circle."
        case .eventNotFound: "There is no such event."
        case .memberNotFound: "There is no such member."
        case .notOrganizer: "Only the event's host or the circle's organizers can do that."
        case .notAMember: "That person is not a member of this circle."
        case .lastOrganizer: "A circle needs an organizer: make another member an organizer first."
        case .cancelled: "This event is cancelled."
        case .over: "This event is over."
        case .wrongCode: "That is not the code shown at the event; check it with the organizer."
        case .notYet: "Check-in opens an hour before the event starts."
        case .notThere: "Only people who were at the event can do that."
        case .unknownTimeZone(let name): "“\(name.prefix(64))” is not a time zone this server knows; use an IANA name like Europe/London."
        case .oneToOneNotFound: "There is no such one-to-one."
        case .notInvitee: "Only the member who was asked can pick a time or say no."
        case .settled: "This one-to-one is already settled: it was confirmed, declined or cancelled."
        case .unavailable(_, let message): message
        case .tooManyProposals(let perDay): "You have asked for \(perDay) one-to-ones today; ask again tomorrow."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _), .unavailable(let field, _): field
        case .wrongCode: "code"
        case .unknownTimeZone: "timeZone"
        default: nil
        }
    }
}

extension EventsError {
    /// The message for a form, when the error is about one of its fields.
    var asFormError: (field: String, message: String)? {
        guard let field else { return nil }
        return (field, reason)
    }
}
