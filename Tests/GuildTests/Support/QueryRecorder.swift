import Logging
import NIOConcurrencyHelpers
import VaporTesting

@testable import Guild

/// Records the SQL statements an app runs through Fluent and SQLKit (their "Executing query" log
/// lines), so tests can count them and see which tables they read. The SQLite reader and
/// PostgreSQL prepared statements do not log; tests that count use pages that do not take them.
final class QueryRecorder: Sendable {
    private let recorded = NIOLockedValueBox<[String]>([])

    /// Routes the app's log (and so every request's and database's) into this recorder.
    init(attachingTo app: Application) {
        let recorder = self
        app.logger = Logger(label: "guild.test.queries") { _ in Handler(recorder: recorder) }
    }

    var statements: [String] { recorded.withLockedValue { $0 } }

    /// The statements `body` ran.
    func statements(during body: () async throws -> Void) async rethrows -> [String] {
        recorded.withLockedValue { $0 = [] }
        try await body()
        return statements
    }

    /// Table names after FROM, JOIN, INTO and UPDATE in the recorded statements.
    static func tables(in statements: [String]) -> Set<String> {
        var tables = Set<String>()
        for sql in statements {
            // A common table expression (`WITH hits AS …`) is the statement's own name, not a table.
            let local = Set(sql.matches(of: /(?i)\b(?:WITH|,)\s*([a-z_][a-z0-9_]*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s*)?\(/).map { String($0.1).lowercased() })
            for match in sql.matches(of: /(?i)\b(?:FROM|JOIN|INTO|UPDATE)\s+"?([a-z_][a-z0-9_]*)"?/) where !local.contains(String(match.1).lowercased()) {
                tables.insert(String(match.1).lowercased())
            }
        }
        return tables
    }

    fileprivate func record(_ sql: String) { recorded.withLockedValue { $0.append(sql) } }

    private struct Handler: LogHandler {
        let recorder: QueryRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if case .string(let sql)? = event.metadata?["sql"] { recorder.record(sql) }
        }
    }
}
