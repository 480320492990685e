import NIOCore
import OpenAPIRuntime
import NIOPosix
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// The database cannot answer now (down, restarting, out of connections, a statement past its
/// deadline): a 503 with Retry-After, not a 500, so clients and proxies know to try again.
struct DatabaseUnavailable: AppError {
    var status: HTTPResponseStatus { .serviceUnavailable }
    var code: String { "unavailable" }
    var reason: String { "Guild cannot reach its database right now. Try again in a few seconds." }
    var headers: HTTPHeaders { ["Retry-After": "5"] }

    /// True for errors that mean "the database is not answering", as opposed to a wrong query.
    static func matches(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
                .queryCancelled:
                return true
            case .server:
                // 08: connection exception, 53: insufficient resources, 57: operator intervention
                // (shutdown, statement timeout, not accepting connections yet).
                let state = error.serverInfo?[.sqlState] ?? ""
                return ["08", "53", "57"].contains(String(state.prefix(2)))
            default:
                return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is ConnectionLost:
            return true
        case let error as SQLiteError:
            return [.busy, .locked].contains(error.reason)
        case is NIOConnectionError, is ChannelError:
            return true
        default:
            return false
        }
    }

    /// A database error for the log: its kind and the server's message, never the query or its values.
    static func summary(of error: any Error) -> String {
        // The API's errors arrive wrapped with the whole request described; the cause is enough.
        if let wrapped = error as? ServerError { return summary(of: wrapped.underlyingError) }
        if let error = error as? PSQLError {
            return "PSQLError \(error.code) \(error.serverInfo?[.sqlState] ?? "") \(error.serverInfo?[.message] ?? "")"
        }
        return "\(type(of: error)): \(error)"
    }
}
