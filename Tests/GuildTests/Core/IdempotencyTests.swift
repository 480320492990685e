import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Idempotency-Key on API POSTs")
struct IdempotencyTests {
    func post(_ app: Application, _ path: String, token: String, key: String?, json: String) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.bearerAuthorization = .init(token: token)
        if let key { headers.add(name: IdempotencyMiddleware.header, value: key) }
        return try await app.testing().sendRequest(.POST, path, headers: headers, body: .init(string: json))
    }

    @Test("a retried create with the same key answers the first response again and makes no duplicate; another body with that key is 422")
    func retries() async throws {
        try await withGuild { app, _ in
            // setup
            let cast = try await LedgerCast.make(app)
            let body = referralJSON(to: cast.receiverSlug)
            // act: the response was lost, so the client sends the same request again, twice
            let first = try await post(app, "/api/v1/referrals", token: cast.giverToken, key: "retry-1", json: body)
            let again = try await post(app, "/api/v1/referrals", token: cast.giverToken, key: "retry-1", json: body)
            let third = try await post(app, "/api/v1/referrals", token: cast.giverToken, key: "retry-1", json: body)
            // assert
            #expect(first.status == .created && again.status == .created && third.status == .created)
            #expect(again.body.string == first.body.string && again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await app.count("referrals") == 1)
            let other = try await post(app, "/api/v1/referrals", token: cast.giverToken, key: "retry-1",
                                       json: body.replacingOccurrences(of: "this_week", with: "this_month"))
            #expect(other.status == .unprocessableEntity && other.body.string.contains("Idempotency-Key"))
            // a key is the caller's own: another member's same key is a new request
            #expect(try await post(app, "/api/v1/referrals", token: cast.otherToken, key: "retry-1", json: body).status == .created)
            #expect(try await app.count("referrals") == 2)
            // without a key, a retry is a second referral, as before
            _ = try await post(app, "/api/v1/referrals", token: cast.giverToken, key: nil, json: body)
            #expect(try await app.count("referrals") == 3)
            #expect(try await post(app, "/api/v1/referrals", token: cast.giverToken, key: String(repeating: "k", count: 300), json: body).status == .badRequest)
        }
    }

    @Test("a refused request keeps no key, so the corrected retry runs; a new token is never kept")
    func refusalsAndSecrets() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            let bad = try await post(app, "/api/v1/referrals", token: cast.giverToken, key: "k2", json: #"{"to":"nobody-at-all"}"#)
            #expect(bad.status.code >= 400)
            #expect(try await app.count("idempotency_keys") == 0)
            let token = try await post(app, "/api/v1/tokens", token: cast.giverToken, key: "k3",
                                       json: #"{"email":"\#(cast.giver.email)","password":"\#(testPassword)","label":"x"}"#)
            #expect(token.status == .created)
            #expect(try await app.count("idempotency_keys") == 0)
        }
    }
}
