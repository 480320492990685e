import Foundation
import Vapor

/// Where the runbook key comes from, and the start-up check that refuses to run without the keys the
/// stored runbooks need. Production sets `GUILD_RUNBOOK_KEY`; a development machine may instead keep
/// a key in `.guild/runbook.key`, which `guild serve --demo` makes when there is none (mode 0600).
enum RunbookKeyFile {
    /// The configured keys, or the key file's key, or nil.
    static func keys(_ config: AppConfig, workingDirectory: String) throws -> RunbookKeys? {
        if let keys = config.runbookKeys { return keys }
        guard let path = config.runbookKeyFile.map({ absolute($0, workingDirectory) }),
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        switch RunbookKeys.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
        case .success(let key): return RunbookKeys(current: key, old: [])
        case .failure(let problem): throw ConfigError(variable: path, problem: "holds a runbook key that \(problem.sentence)")
        }
    }

    /// Makes a key file for a development server with no key and no runbooks; returns the keys.
    static func create(_ config: AppConfig, workingDirectory: String) throws -> RunbookKeys? {
        guard let relative = config.runbookKeyFile else { return nil }
        let path = absolute(relative, workingDirectory)
        let key = RunbookCipher.newKey()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError(variable: path, problem: "could not be written")
        }
        guard case .success(let data) = RunbookKeys.parse(key) else { return nil }
        return RunbookKeys(current: data, old: [])
    }

    static func absolute(_ path: String, _ workingDirectory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory)).path
    }

    /// Refuses to start when runbooks are stored and the keys to open them are not all configured.
    static func check(_ app: Application, demo: Bool) async throws {
        let stored = try await Runbooks.keyIDs(on: app.db)
        if app.runbookCipher == nil, stored.isEmpty, demo,
           let keys = try create(app.guildConfig, workingDirectory: app.directory.workingDirectory) {
            app.runbookCipher = RunbookCipher(keys: keys)
            app.logger.notice("No runbook key was configured: made one for this development server in \(app.guildConfig.runbookKeyFile ?? "")")
        }
        guard !stored.isEmpty else { return }
        guard let cipher = app.runbookCipher else {
            throw ConfigError(variable: "GUILD_RUNBOOK_KEY", problem: "is missing, and runbooks are stored: start with the key they were sealed with")
        }
        let missing = stored.subtracting(cipher.keys.allIDs)
        guard missing.isEmpty else {
            throw ConfigError(variable: "GUILD_RUNBOOK_KEY", problem: "does not open every stored runbook: runbooks sealed with key \(missing.sorted().joined(separator: ", ")) need it in GUILD_RUNBOOK_KEY or GUILD_RUNBOOK_OLD_KEYS")
        }
    }
}
