import Vapor

/// What can go wrong with contacts and follow-ups; each names the field at fault where there is one.
/// Another member's contact is "not found", never "forbidden": its existence is private too.
enum ContactsError: AppError, Equatable {
    case invalid(field: String, String)
    case notFound
    case followUpNotFound
    case file(String)
    case tooLarge
    case noEmail
    case sameContact
    case unknownNiche(String)
    case unknownMember(String)
    case importGone
    case notTheirAddress
    case otherContactsFollowUp
    case dailyLimit

    var status: HTTPResponseStatus {
        switch self {
        case .invalid, .file: .unprocessableEntity
        // The request is well formed; the contact as it stands cannot take it.
        case .noEmail, .notTheirAddress, .otherContactsFollowUp: .conflict
        // A niche or member the card names that is not on Guild: the contact is there, what it points
        // to is not, so 409 with the field (a 404 read as "this contact is gone").
        case .unknownNiche, .unknownMember: .conflict
        case .dailyLimit: .tooManyRequests
        // Well-formed references to nothing, which no schema can rule out: 404, as for posts and requests.
        case .notFound, .followUpNotFound, .importGone: .notFound
        case .tooLarge: .payloadTooLarge
        case .sameContact: .conflict
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .notFound, .followUpNotFound, .importGone: "not_found"
        case .file: "invalid_file"
        case .tooLarge: "file_too_large"
        case .noEmail: "no_email_address"
        case .sameContact: "same_contact"
        case .notTheirAddress: "not_their_address"
        case .otherContactsFollowUp: "other_contacts_follow_up"
        case .dailyLimit: "too_many_emails"
        case .unknownNiche: "unknown_niche"
        case .unknownMember: "unknown_member"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message): message
        case .notFound: "There is no such contact."
        case .followUpNotFound: "There is no such follow-up."
        case .file(let message): message
        case .tooLarge: "The file is over 10 MB; contact files can be at most 10 MB. Split it into smaller files."
        case .noEmail: "This contact has no email address to write to; add one first."
        case .sameContact: "A contact cannot be merged with itself."
        case .unknownNiche(let name): "“\(name.prefix(100))” is not a niche on Guild; choose one from the niche list."
        case .unknownMember(let slug): "No member has the profile “\(slug.prefix(80))”."
        case .notTheirAddress: "Write to one of this contact's addresses."
        case .otherContactsFollowUp: "That follow-up is for another contact."
        case .dailyLimit: "You have sent \(ContactMailRules.perDay) emails to contacts in the last day; the next can go tomorrow."
        case .importGone: "That upload is gone (uploads wait a day for their columns to be matched); upload the file again."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .file, .tooLarge: "file"
        case .noEmail, .notTheirAddress: "to"
        case .otherContactsFollowUp: "followUpId"
        case .unknownNiche: "niches"
        case .unknownMember: "member"
        default: nil
        }
    }
}

extension ContactsError {
    /// On a form, an unknown niche or profile is a mistake in a field (422 by the field), not a missing page.
    var asFormError: ContactsError {
        switch self {
        case .unknownNiche, .unknownMember: .invalid(field: field ?? "niches", reason)
        default: self
        }
    }
}
