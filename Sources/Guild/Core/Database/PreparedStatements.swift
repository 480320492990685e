import FluentPostgresDriver
import Vapor

extension PostgresDatabase {
    /// The first row of a prepared statement. PostgreSQL plans a named statement once per connection;
    /// SQLKit's unnamed ones are planned on every call, which costs more than the hot reads themselves.
    func first<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> Statement.Row?
    where Statement.Row: Sendable {
        try await withConnection { connection -> EventLoopFuture<Statement.Row?> in
            connection.eventLoop.makeFutureWithTask { () async throws -> Statement.Row? in
                var found: Statement.Row?
                for try await row in try await connection.execute(statement, logger: logger) where found == nil {
                    found = row
                }
                return found
            }
        }.get()
    }
}
