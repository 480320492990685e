import FluentPostgresDriver
import NIOConcurrencyHelpers
import NIOCore

/// The connection under a transaction closed before the transaction ended (the server died, restarted
/// or ended the session). A 503, like any database that stopped answering. Almost always nothing
/// committed; a COMMIT the server answered in the same few milliseconds as it died can still be reported
/// so (as a COMMIT whose answer is lost always could): clients retry with an `Idempotency-Key`.
struct ConnectionLost: Error, CustomStringConvertible {
    var description: String { "the database connection closed during a transaction" }
}

extension Database {
    /// A PostgreSQL transaction that ends at the latest a quarter of a second after its connection does.
    ///
    /// PostgresNIO (1.33) writes each query to its channel without a write promise, so a query written
    /// after the connection has closed is never answered: when PostgreSQL died, the ROLLBACK that
    /// followed the failed statement (or the next statement of the transaction) waited until the
    /// request's 30 s deadline, and its connection never went back to the pool (two or three of the
    /// eight connections in each kill of the fault test). Here the transaction runs beside a watch of
    /// its connection, and whichever ends first ends it: the connection returns to the pool (which
    /// drops it as closed) and the caller gets `ConnectionLost`; the stuck statement's task is left to
    /// the closed channel. Nested calls run inside the outer transaction, as Fluent's own do.
    func postgresTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction else { return try await body(self) }
        return try await withConnection { db in
            let connection = try await (db as! any PostgresDatabase).withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
            return try await connection.untilClosed {
                try await db.sql.raw("BEGIN").run()
                do {
                    let result = try await body(db)
                    try await db.sql.raw("COMMIT").run()
                    return result
                } catch {
                    if !connection.isClosed { try? await db.sql.raw("ROLLBACK").run() }
                    throw error
                }
            }
        }
    }
}

extension PostgresConnection {
    /// How often a transaction looks at its connection: the longest it outlives a closed one.
    static let closedCheck = TimeAmount.milliseconds(250)

    /// `work`'s result, or `ConnectionLost` once this connection has closed, whichever comes first.
    func untilClosed<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let answered = NIOLockedValueBox(false)
            let answer: @Sendable (Result<T, any Error>) -> Void = { result in
                guard answered.withLockedValue({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(with: result)
            }
            // One timer while the transaction runs (none after), not a callback on the connection's
            // close future per transaction, which would pile up for as long as the connection lives.
            let watch = eventLoop.scheduleRepeatedTask(initialDelay: Self.closedCheck, delay: Self.closedCheck) { task in
                guard self.isClosed else { return }
                task.cancel()
                answer(.failure(ConnectionLost()))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                watch.cancel()
                answer(result)
            }
        }
    }
}
