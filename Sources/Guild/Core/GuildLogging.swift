import Foundation
import Logging
import Vapor

/// Text logs for a terminal, or one JSON object per line for a log collector.
public enum GuildLogging {
    /// Logs go to standard output, except for a command asked for `--json` output (`guild match
    /// --json`): its standard output is the JSON alone, so logs go to standard error.
    public static func bootstrap(_ format: AppConfig.LogFormat, environment: inout Environment) throws {
        let level = try Logger.Level.detect(from: &environment)
        let toStandardError = environment.arguments.contains("--json")
        switch format {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = toStandardError ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, logLevel: level, toStandardError: toStandardError) }
        }
    }
}

struct JSONLogHandler: LogHandler {
    var label: String
    var logLevel: Logger.Level
    var toStandardError = false
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [
            "time": ISO8601DateFormatter().string(from: Date()), "level": event.level.rawValue,
            "message": "\(event.message)", "logger": label,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = "\(value)"
        }
        if let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) {
            (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(data + Data("\n".utf8))
        }
    }
}
