import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Answers every request within `timeout`: a request still waiting then (a database that stopped
/// answering without closing the connection) gets 503 with Retry-After instead of hanging. The
/// work itself runs on and its transaction commits or rolls back whole; only the wait ends.
struct RequestDeadlineMiddleware: AsyncMiddleware {
    var timeout: Duration

    struct Expired: AppError {
        var status: HTTPResponseStatus { .serviceUnavailable }
        var code: String { "timeout" }
        var reason: String { "Guild took too long to answer. Try again in a few seconds." }
        var headers: HTTPHeaders { ["Retry-After": "5"] }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let timeout = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                                             + Int64(timeout.components.attoseconds / 1_000_000_000))
        return try await withCheckedThrowingContinuation { continuation in
            let answered = NIOLockedValueBox(false)
            let answer: @Sendable (Result<Response, any Error>) -> Void = { result in
                guard answered.withLockedValue({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(with: result)
            }
            // A NIO timer, cancelled when the answer is ready: cheaper than a sleeping task per request.
            let deadline = request.eventLoop.scheduleTask(in: timeout) { answer(.failure(Expired())) }
            Task {
                let result: Result<Response, any Error>
                do { result = .success(try await next.respond(to: request)) } catch { result = .failure(error) }
                deadline.cancel()
                answer(result)
            }
        }
    }
}
