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

extension Response {
    /// Applies an error's status and headers (Retry-After) to a re-rendered form.
    func with(_ error: any AppError) -> Response {
        status = error.status
        for (name, value) in error.headers { headers.replaceOrAdd(name: name, value: value) }
        return self
    }
}
