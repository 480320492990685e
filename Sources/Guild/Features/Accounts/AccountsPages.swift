import Vapor

struct SignUpPage: Encodable, FormPage {
    var layout: Layout
    var name = ""
    var email = ""
    var errors: [String: String] = [:]
    var formError: String?
}

struct SignInPage: Encodable {
    var layout: Layout
    var email = ""
    var next = ""
    var formError: String?
}

struct ForgotPasswordPage: Encodable, FormPage {
    var layout: Layout
    var email = ""
    var errors: [String: String] = [:]
    var formError: String?
}

struct ResetPasswordPage: Encodable, FormPage {
    var layout: Layout
    var token: String
    var usable: Bool
    var errors: [String: String] = [:]
    var formError: String?
}

/// Form fields are optional so a missing one is reported as empty, not as a 400.
struct SignUpForm: Content {
    var name: String?
    var email: String?
    var password: String?
}

struct SignInForm: Content {
    var email: String?
    var password: String?
    var next: String?
}

struct EmailForm: Content {
    var email: String?
}

struct PasswordForm: Content {
    var password: String?
}

struct ChangePasswordForm: Content {
    var current_password: String?
    var new_password: String?
    var revoke_tokens: String?
}

struct TokenForm: Content {
    var label: String?
}
