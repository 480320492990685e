import Testing
import VaporTesting

@testable import Guild

/// Bodies are read under each route's own limit, and multipart only where a route takes it.
@Suite("Body limits and multipart")
struct BodyLimitTests {
    static func multipart(parts: Int, fieldSize: Int = 1, boundary: String = "b0undary") -> String {
        var body = ""
        body.reserveCapacity(parts * (fieldSize + 60))
        for index in 0..<parts {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\n"
            body += String(repeating: "x", count: fieldSize) + "\r\n"
        }
        return body + "--\(boundary)--\r\n"
    }

    @Test("a 10 MB multipart post to /signin is refused as too large, and nobody is signed in")
    func hugeMultipartToSignIn() async throws {
        try await withGuild { app, _ in
            let body = Self.multipart(parts: 1, fieldSize: 10 * 1_048_576)
            let response = try await app.testing().sendRequest(
                .POST, "/signin", headers: ["Content-Type": "multipart/form-data; boundary=b0undary"],
                body: ByteBuffer(string: body))
            #expect(response.status == .payloadTooLarge)
            #expect(response.headers.setCookie?[WebSessionMiddleware.sessionCookie] == nil)
        }
    }

    @Test("32,000 multipart fields to /signin are refused before any of them is parsed")
    func manyPartsToSignIn() async throws {
        try await withGuild { app, _ in
            // 32,000 one-byte fields: about 1.9 MB, over the form limit.
            let many = try await app.testing().sendRequest(
                .POST, "/signin", headers: ["Content-Type": "multipart/form-data; boundary=b0undary"],
                body: ByteBuffer(string: Self.multipart(parts: 32_000)))
            #expect(many.status == .payloadTooLarge)
            // Under the size limit, multipart is still not what a sign-in form takes.
            let small = try await app.testing().sendRequest(
                .POST, "/signin", headers: ["Content-Type": "multipart/form-data; boundary=b0undary"],
                body: ByteBuffer(string: Self.multipart(parts: 2_000)))
            #expect(small.status == .unsupportedMediaType)
        }
    }

    @Test("an ordinary form over the route's 256 KB limit is refused and writes nothing")
    func largeForm() async throws {
        try await withGuild { app, _ in
            let response = try await app.testing().sendRequest(
                .POST, "/signup", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "name=a&email=a%40example.com&password=0123456789&bio=" + String(repeating: "x", count: 300_000)))
            #expect(response.status == .payloadTooLarge)
            #expect(try await app.count("users") == 0)
        }
    }

    @Test("the roster upload takes a file but not thousands of parts")
    func uploadParts() async throws {
        try await withGuild { app, _ in
            let organizer = Browser(app)
            try await organizer.signIn(email: try await User.make(role: .organizer, on: app).email)
            var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=b0undary"]
            headers.add(name: .cookie, value: organizer.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            let response = try await app.testing().sendRequest(
                .POST, "/organize/import", headers: headers, body: ByteBuffer(string: Self.multipart(parts: 5_000)))
            #expect(response.status == .payloadTooLarge)
            #expect(try await app.count("users") == 1)
        }
    }

    @Test("Request.count finds each boundary once and stops at its limit")
    func boundaryCount() {
        let buffer = ByteBuffer(string: "--ab--ab----ab x --a --ab")
        #expect(Request.count(of: "--ab", in: buffer, upTo: 10) == 4)
        #expect(Request.count(of: "--ab", in: buffer, upTo: 2) == 2)
        #expect(Request.count(of: "--zz", in: buffer, upTo: 10) == 0)
    }
}
