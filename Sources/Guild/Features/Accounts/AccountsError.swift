import Vapor

enum AccountsError: AppError {
    case emailTaken
    case wrongCredentials
    case noPasswordYet
    case resetLinkUnusable
    case wrongCurrentPassword

    var status: HTTPResponseStatus {
        switch self {
        case .emailTaken: .conflict
        case .wrongCredentials, .noPasswordYet: .unauthorized
        case .resetLinkUnusable: .gone
        case .wrongCurrentPassword: .unprocessableEntity
        }
    }

    var code: String {
        switch self {
        case .emailTaken: "email_taken"
        case .wrongCredentials: "wrong_credentials"
        case .noPasswordYet: "no_password_yet"
        case .resetLinkUnusable: "link_unusable"
        case .wrongCurrentPassword: "wrong_password"
        }
    }

    var reason: String {
        switch self {
        case .emailTaken: "An account with this email address already exists."
        case .wrongCredentials: "The email address or password is wrong."
        case .noPasswordYet: "This account has no password yet: use the link in your invitation email, or ask for a new one with “Forgot password”."
        case .resetLinkUnusable: "This link has expired or was already used. Ask for a new one."
        case .wrongCurrentPassword: "Your current password is wrong."
        }
    }

    var field: String? {
        switch self {
        case .emailTaken: "email"
        case .wrongCurrentPassword: "current_password"
        default: nil
        }
    }
}
