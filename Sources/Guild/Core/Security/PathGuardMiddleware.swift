import Vapor

/// Refuses paths no route or file can have before anything looks them up: longer than any page's
/// (414); with a segment longer than a file name may be (the file system failed on those with a
/// 500) or holding NUL and other control characters once decoded (`guild.css%00.html` served the
/// stylesheet as HTML): 404, as for any address nothing lives at.
struct PathGuardMiddleware: AsyncMiddleware {
    /// Percent-encoded: a 200-character slug in any script (the API document's limit) stays under it.
    static let maxPathBytes = 8192

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard path.utf8.count <= Self.maxPathBytes else { throw Abort(.uriTooLong) }
        guard let decoded = path.removingPercentEncoding,
            !decoded.split(separator: "/").contains(where: { $0.utf8.count > 255 }),
            !decoded.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw CommonError.notFound }
        return try await next.respond(to: request)
    }
}
