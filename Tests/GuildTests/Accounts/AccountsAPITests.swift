import Testing
import VaporTesting

@testable import Guild

@Suite("Accounts JSON API")
struct AccountsAPITests {
    func post(_ app: Application, _ path: String, json: String, contentType: String = "application/json") async throws
        -> TestingHTTPResponse
    {
        try await app.testing().sendRequest(
            .POST, path, headers: ["Content-Type": contentType], body: ByteBuffer(string: json))
    }

    @Test("sign up, get a token, read /me")
    func happyPath() async throws {
        try await withGuild { app, _ in
            let created = try await post(app, "/api/v1/accounts",
                                         json: #"{"name":"Grace Hopper","email":"Grace@Example.com","password":"compilers rule"}"#)
            #expect(created.status == .created)
            #expect(created.body.string.contains(#""email":"grace@example.com""#))
            let token = try await post(app, "/api/v1/tokens", json: #"{"email":"grace@example.com","password":"compilers rule","label":"cli"}"#)
            #expect(token.status == .created)
            struct NewToken: Decodable { var token: String; var label: String }
            let decoded = try token.content.decode(NewToken.self)
            #expect(decoded.label == "cli")
            let me = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(decoded.token)"])
            #expect(me.status == .ok)
            #expect(me.body.string.contains("Grace Hopper"))
            #expect(me.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test("/me without a valid token is 401 with WWW-Authenticate", arguments: [nil, "Bearer nope", "Basic abc"])
    func meUnauthorized(header: String?) async throws {
        try await withGuild { app, _ in
            let headers: HTTPHeaders = header.map { ["Authorization": $0] } ?? [:]
            let response = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers)
            #expect(response.status == .unauthorized)
            #expect(response.headers.first(name: "WWW-Authenticate") == "Bearer")
            #expect(response.body.string.contains(#""code":"unauthorized""#))
        }
    }

    @Test("a revoked token stops working")
    func revokedToken() async throws {
        try await withGuild { app, _ in
            let user = try await User.make(on: app)
            let (token, clear) = try await APIToken.issue(for: user.requireID(), label: "x", on: app.db)
            try await token.delete(on: app.db)
            let response = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(clear)"])
            #expect(response.status == .unauthorized)
        }
    }

    @Test("bad input gets a clear 4xx naming the field and writes nothing",
          arguments: [
            (#"{"name":"","email":"a@example.com","password":"0123456789"}"#, 422, "name"),
            (#"{"name":"\#(String(repeating: "n", count: 10_240))","email":"a@example.com","password":"0123456789"}"#, 422, "name"),
            (#"{"name":"Ada","email":"nope","password":"0123456789"}"#, 422, "email"),
            (#"{"name":"Ada","email":"a@example.com","password":"short"}"#, 422, "password"),
            (#"{"name":42,"email":"a@example.com","password":"0123456789"}"#, 400, "name"),
            (#"{"email":"a@example.com","password":"0123456789"}"#, 400, "name"),
            (#"{"name":"Ada","email":"a@example.com","password":"0123456789","admin":true}"#, 400, "admin"),
            (#"["not","an","object"]"#, 400, ""),
            (#"{"name":"Ada""#, 400, ""),
            ("", 400, ""),
          ])
    func badInput(body: String, status: Int, field: String) async throws {
        try await withGuild { app, _ in
            let response = try await post(app, "/api/v1/accounts", json: body)
            #expect(Int(response.status.code) == status, "\(response.body.string)")
            #expect(response.body.string.contains(#""code":"#))
            if !field.isEmpty { #expect(response.body.string.contains(#""field":"\#(field)""#)) }
            #expect(try await app.count("users") == 0)
        }
    }

    @Test("a duplicate email is 409")
    func duplicate() async throws {
        try await withGuild { app, _ in
            _ = try await User.make(email: "dup@example.com", on: app)
            let response = try await post(app, "/api/v1/accounts", json: #"{"name":"Ada","email":"DUP@example.com","password":"0123456789"}"#)
            #expect(response.status == .conflict)
            #expect(response.body.string.contains(#""code":"email_taken""#))
        }
    }

    @Test("a non-JSON body is 415, a huge body is 413")
    func mediaTypeAndSize() async throws {
        try await withGuild { app, _ in
            let form = try await post(app, "/api/v1/accounts", json: "name=a", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
            let huge = String(repeating: "x", count: 2 * 1024 * 1024)
            let big = try await post(app, "/api/v1/accounts", json: #"{"name":"\#(huge)"}"#)
            #expect(big.status == .payloadTooLarge)
            #expect(big.body.string.contains("payload_too_large"))
            let bigForm = try await Browser(app).post("/signup", ["name": huge, "email": "a@example.com", "password": testPassword])
            #expect(bigForm.status == .payloadTooLarge)
            #expect(try await app.count("users") == 0)
        }
    }

    @Test("the OpenAPI document is served")
    func spec() async throws {
        try await withGuild { app, _ in
            let response = try await app.testing().sendRequest(.GET, "/api/v1/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.body.string.hasPrefix("openapi: \"3.1.0\""))
        }
    }
}
