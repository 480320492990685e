import Vapor

/// What can go wrong with contacts and follow-ups; each names the field at fault where there is one.
/// Another member's contact is "not found", never "forbidden": its existence is private too.
enum ContactsError: AppError {
    case invalid(field: String, String)
    case notFound
    case followUpNotFound
    case file(String)
    case tooLarge
    case noEmail
    case sameContact

    var status: HTTPResponseStatus {
        switch self {
        case .invalid, .file, .noEmail: .unprocessableEntity
        case .notFound, .followUpNotFound: .notFound
        case .tooLarge: .payloadTooLarge
        case .sameContact: .conflict
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .notFound, .followUpNotFound: "not_found"
        case .file: "invalid_file"
        case .tooLarge: "file_too_large"
        case .noEmail: "no_email_address"
        case .sameContact: "same_contact"
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
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _): field
        case .file, .tooLarge: "file"
        case .noEmail: "to"
        default: nil
        }
    }
}
