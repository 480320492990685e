import Vapor

/// Refuses paths no route or file can have before anything looks them up: longer than any page's
/// (414), with a segment longer than a file name may be (404; the file system fails on those with
/// a 500), or holding NUL and other control characters once decoded (400; `guild.css%00.html`
/// would otherwise serve the stylesheet as HTML).
struct PathGuardMiddleware: AsyncMiddleware {
    static let maxPathBytes = 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard path.utf8.count <= Self.maxPathBytes else { throw Abort(.uriTooLong) }
        guard !path.split(separator: "/").contains(where: { $0.utf8.count > 255 }) else { throw CommonError.notFound }
        guard let decoded = path.removingPercentEncoding,
            !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw Abort(.badRequest, reason: "The address holds characters no page has.") }
        return try await next.respond(to: request)
    }
}
