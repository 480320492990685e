import Vapor

/// What a form route accepts as a body: its own size limit, and whether (and how many) multipart
/// parts it parses. Read by `CSRFMiddleware` before anything else touches the body, so a client
/// saying "multipart" or "11 MB" to a route that expects neither is refused without reading it.
struct BodyPolicy: Sendable {
    var limit: Int
    /// 0: multipart bodies are refused (415). Parsing cost grows with the square of the part
    /// count, so a route that takes multipart bounds the parts too.
    var maxMultipartParts: Int
    /// What a refused body is told, when the route can say better than "too large".
    var tooLarge: String? = nil

    static let form = BodyPolicy(limit: 256 * 1024, maxMultipartParts: 0)
    /// A 10 MB file and its form fields; a bigger file is refused by the route with a clear message.
    static let upload = BodyPolicy(limit: 10 * 1_048_576 + 64 * 1024, maxMultipartParts: 8)

    static let key = AnySendableHashable("guild.bodyPolicy")
}

extension Route {
    /// Marks the route as taking this body; the default for form routes is `BodyPolicy.form`.
    @discardableResult
    func accepting(_ policy: BodyPolicy) -> Route {
        userInfo[BodyPolicy.key] = policy
        return self
    }

    var bodyPolicy: BodyPolicy { (userInfo[BodyPolicy.key] as? BodyPolicy) ?? .form }
}

extension Request {
    /// Reads the body under the route's `BodyPolicy`: 413 when the declared or actual size is over
    /// its limit, 415 for multipart where the route takes none, 413 for too many parts.
    func collectBody() async throws {
        let policy = route?.bodyPolicy ?? .form
        let declared = headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        guard declared <= policy.limit else { throw Abort(.payloadTooLarge, reason: policy.tooLarge) }
        let isMultipart = headers.contentType?.type == "multipart"
        if isMultipart, policy.maxMultipartParts == 0 {
            throw Abort(.unsupportedMediaType, reason: "This form takes no file uploads.")
        }
        if let data = body.data {
            guard data.readableBytes <= policy.limit else { throw Abort(.payloadTooLarge, reason: policy.tooLarge) }
        } else {
            _ = try await body.collect(max: policy.limit).get()
        }
        if isMultipart, let boundary = headers.contentType?.parameters["boundary"], let data = body.data,
            Self.count(of: "--" + boundary, in: data, upTo: policy.maxMultipartParts + 2) > policy.maxMultipartParts + 1
        {
            throw Abort(.payloadTooLarge, reason: "The upload has too many parts.")
        }
    }

    /// Occurrences of `needle` in `buffer`, counting no further than `limit`: one linear pass.
    static func count(of needle: String, in buffer: ByteBuffer, upTo limit: Int) -> Int {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, !pattern.isEmpty else { return 0 }
        return buffer.withUnsafeReadableBytes { bytes -> Int in
            var found = 0, index = 0
            let end = bytes.count - pattern.count
            while index <= end, found < limit {
                if bytes[index] == first, bytes[index..<index + pattern.count].elementsEqual(pattern) {
                    found += 1
                    index += pattern.count
                } else {
                    index += 1
                }
            }
            return found
        }
    }
}
