import Vapor

/// A page with a form: a field's error shows beside it, any other error above the form.
protocol FormPage {
    var errors: [String: String] { get set }
    var formError: String? { get set }
}

extension FormPage {
    mutating func show(_ error: any AppError) {
        if let field = error.field { errors[field] = error.reason } else { formError = error.reason }
    }
}

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

struct SettingsPage: Encodable {
    struct Token: Encodable {
        var id: String
        var label: String
        var created: String
        var lastUsed: String
    }

    var layout: Layout
    var name: String
    var email: String
    var role: String
    var tokens: [Token]
    var newToken: String?
    var passwordError: String?
    var tokenError: String?
    var deleteError: String?
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

extension Date {
    /// Day precision in UTC, e.g. 2026-11-23 14:05.
    var shortDisplay: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: self)
    }
}

extension Response {
    /// Applies an error's status and headers (Retry-After) to a re-rendered form.
    func with(_ error: any AppError) -> Response {
        status = error.status
        for (name, value) in error.headers { headers.replaceOrAdd(name: name, value: value) }
        return self
    }
}
