import Vapor

/// What can go wrong with a cover plan, with the status and words a member (or a trusted contact
/// who has never seen Guild) can act on.
enum CoverPlansError: AppError, Equatable {
    case invalid(field: String, String)
    case memberNotFound
    case backupNotFound
    case activationNotFound
    case itemNotFound
    case notYourBackup
    case alreadySettled
    case conflict(field: String, String)
    case runbookLocked
    case noKey
    case notAllowed
    case linkNotValid
    case alreadyActive
    case notActive

    var status: HTTPResponseStatus {
        switch self {
        case .invalid: .unprocessableEntity
        case .memberNotFound, .backupNotFound, .activationNotFound, .linkNotValid, .itemNotFound: .notFound
        case .notYourBackup, .notAllowed, .runbookLocked: .forbidden
        case .alreadySettled, .conflict, .alreadyActive, .notActive: .conflict
        case .noKey: .serviceUnavailable
        }
    }

    var code: String {
        switch self {
        case .invalid: "invalid_field"
        case .memberNotFound, .backupNotFound, .activationNotFound, .itemNotFound: "not_found"
        case .linkNotValid: "link_not_valid"
        case .notYourBackup: "not_your_backup"
        case .alreadySettled: "already_settled"
        case .conflict: "conflict"
        case .runbookLocked: "runbook_locked"
        case .noKey: "runbook_key_missing"
        case .notAllowed: "forbidden"
        case .alreadyActive: "cover_already_active"
        case .notActive: "cover_not_active"
        }
    }

    var reason: String {
        switch self {
        case .invalid(_, let message), .conflict(_, let message): message
        case .memberNotFound: "There is no such member."
        case .backupNotFound: "There is no such backup request."
        case .activationNotFound: "There is no such cover."
        case .itemNotFound: "That client or duty is not in your runbook (any more)."
        case .notYourBackup: "Only the member who was asked can accept or decline."
        case .alreadySettled: "This request was already answered or ended."
        case .runbookLocked: "A runbook is read by its member, and by their accepted backups only while their cover is on."
        case .noKey: "This server has no runbook key yet, so runbooks cannot be kept: the admin sets GUILD_RUNBOOK_KEY."
        case .notAllowed: "Only the member, an organizer of one of their circles or an admin can do that."
        case .linkNotValid: "This link does not work: it was used already, replaced, or it expired. Ask the member (or their circle's organizer) for help."
        case .alreadyActive: "Cover is already on for this member."
        case .notActive: "Cover is not on for this member."
        }
    }

    var field: String? {
        switch self {
        case .invalid(let field, _), .conflict(let field, _): field
        default: nil
        }
    }
}
