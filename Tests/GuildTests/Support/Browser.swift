import Foundation
import Testing
import VaporTesting

@testable import Guild

/// A browser without JavaScript: keeps cookies, reads the CSRF token from the page, posts forms.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var extraHeaders: HTTPHeaders = [:]

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form; fetches a page first to learn the current CSRF token unless one is given.
    @discardableResult
    func post(_ path: String, _ form: [String: String], csrf: String? = nil) async throws -> TestingHTTPResponse {
        var form = form
        if let csrf {
            form["csrf"] = csrf
        } else if form["csrf"] == nil {
            form["csrf"] = try await currentCSRF()
        }
        let body = form.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.POST, path, body: body)
    }

    func currentCSRF() async throws -> String {
        let page = try await get("/signup").body.string
        return try #require(Self.csrf(in: page))
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    @discardableResult
    func signUp(name: String = "Ada Lovelace", email: String, password: String = testPassword) async throws
        -> TestingHTTPResponse
    {
        try await post("/signup", ["name": name, "email": email, "password": password])
    }

    @discardableResult
    func signIn(email: String, password: String = testPassword) async throws -> TestingHTTPResponse {
        try await post("/signin", ["email": email, "password": password])
    }

    func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> TestingHTTPResponse {
        var headers = extraHeaders
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if body != nil { headers.contentType = .urlEncodedForm }
        let response = try await app.testing().sendRequest(
            method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for (name, cookie) in response.headers.setCookie?.all ?? [:] {
            if cookie.string.isEmpty || cookie.maxAge == 0 { cookies[name] = nil } else { cookies[name] = cookie.string }
        }
        return response
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
