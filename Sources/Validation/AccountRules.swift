/// Rules for the fields of an account, shared by the web forms and the JSON API.
public enum AccountRules {
    public static let nameMaxLength = 100
    public static let emailMaxLength = 254
    public static let passwordMinLength = 10
    public static let passwordMaxLength = 128

    /// The name with surrounding whitespace removed, or the problem with it.
    /// Lengths count Unicode code points, as JSON Schema's maxLength does, so the API document and
    /// the server agree on every input.
    public static func name(_ raw: String) -> Result<String, FieldProblem> {
        let trimmed = raw.trimmingWhitespace()
        if trimmed.isEmpty { return .failure(.init(field: "name", message: "Enter your name.")) }
        if raw.unicodeScalars.count > nameMaxLength {
            return .failure(.init(field: "name", message: "Name must be at most \(nameMaxLength) characters."))
        }
        if let problem = TextRules.lineProblem(trimmed, what: "Name") {
            return .failure(.init(field: "name", message: problem))
        }
        return .success(trimmed)
    }

    /// The email lowercased and trimmed, or the problem with it.
    public static func email(_ raw: String) -> Result<String, FieldProblem> {
        let email = raw.trimmingWhitespace().lowercased()
        if email.isEmpty { return .failure(.init(field: "email", message: "Enter your email address.")) }
        if email.utf8.count > emailMaxLength || !EmailAddress.isValid(email) {
            return .failure(.init(field: "email", message: "Enter a valid email address, like name@example.com."))
        }
        return .success(email)
    }

    public static func password(_ raw: String, field: String = "password") -> Result<String, FieldProblem> {
        if raw.unicodeScalars.count < passwordMinLength {
            return .failure(.init(field: field, message: "Password must be at least \(passwordMinLength) characters."))
        }
        if raw.unicodeScalars.count > passwordMaxLength {
            return .failure(.init(field: field, message: "Password must be at most \(passwordMaxLength) characters."))
        }
        return .success(raw)
    }
}

/// A field and what is wrong with its value, in words a person can act on.
public struct FieldProblem: Error, Equatable, Sendable {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

extension String {
    /// Trims spaces, tabs, newlines and the byte-order mark (which JSON Schema's `\s` also counts).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace || scalar == "\u{FEFF}" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
