import Foundation

/// Every setting Guild reads from its environment, parsed once at start-up.
public struct AppConfig: Sendable, Equatable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var database: Database
    /// Public address used in links inside emails, e.g. `https://guild.example.org`.
    public var baseURL: String
    public var secureCookies: Bool
    /// A sendmail-compatible command (`/usr/bin/msmtp -t`); nil writes `.eml` files instead.
    public var sendmailCommand: [String]?
    public var mailDirectory: String
    public var mailFrom: String
    public var hostname: String
    public var port: Int
    public var bcryptCost: Int
    /// Trust `X-Forwarded-For` for the client address (only behind your own proxy).
    public var trustProxy: Bool
    /// How many proxies of yours append to `X-Forwarded-For` (`GUILD_TRUSTED_PROXIES`): the client is
    /// the entry that many places from the right, the address the outermost of them saw.
    public var trustedProxies = 1
    public var logFormat: LogFormat
    /// Keep parsed Leaf templates in memory (off: templates are re-read on every request, for editing them).
    public var cacheTemplates: Bool
    /// How many search result pages each server keeps (0: none); see `SearchCache`.
    public var searchCacheSize: Int
    /// How many public profiles each server keeps (0: none); see `ProfileCache`.
    public var profileCacheSize: Int
    /// PostgreSQL schema to use instead of `public`; tests give each app its own.
    public var postgresSchema: String?
    /// Seconds after which a request still waiting (on a database that stopped answering) gets 503.
    public var requestTimeout: Int
    /// A bearer token for `/metrics` from anywhere; nil serves it to loopback addresses only.
    public var metricsToken: String?
    /// SQLite only: read profiles and the generation through `SQLiteReader` (off: through Fluent),
    /// for measuring what it buys.
    public var sqliteReader: Bool
    /// Where the sentence model's files are (`model.safetensors`, `vocab.txt`).
    public var modelDirectory: String
    /// `guild serve` fetches the model when it is missing (off: lexical matching until `guild model fetch`).
    public var modelFetch: Bool
    /// Matrix products on our own Swift kernel even where OpenBLAS is installed (for measuring both).
    public var swiftMatrixKernel: Bool
    /// Matches one address may ask for a minute, per server (0: no limit, for benchmarks).
    public var matchesPerMinute: Int
    /// How often `guild serve` fetches recommended blogs' feeds (`GUILD_FEEDS_REFRESH=1h`); nil: never.
    public var feedsRefresh: Int? = nil
    /// Let the feed fetcher reach private, loopback and link-local addresses (tests' local servers only).
    public var feedsAllowPrivate = false
    /// Seconds a request waits for a pooled database connection before it gets 503.
    public var databasePoolWait = 10
    /// The domain of the per-message Reply-To addresses on members' emails to contacts
    /// (`reply+TOKEN@domain`), whose mail is piped into `guild mail receive`; nil: the host of `baseURL`.
    public var replyDomain: String? = nil

    /// The keys cover-plan runbooks are sealed with (`GUILD_RUNBOOK_KEY`, and `GUILD_RUNBOOK_OLD_KEYS`
    /// during a rotation); nil: read from `runbookKeyFile` if it exists. Never logged.
    public var runbookKeys: RunbookKeys? = nil
    /// Where a development server keeps the key `serve --demo` makes when none is configured; nil: nowhere.
    public var runbookKeyFile: String? = ".guild/runbook.key"

    /// The reply domain in use.
    public var effectiveReplyDomain: String { replyDomain ?? URL(string: baseURL)?.host ?? "localhost" }

    public enum LogFormat: String, Sendable { case text, json }

    /// The defaults a developer gets with no environment at all.
    public static let development = AppConfig(
        database: .sqlite(path: "guild.sqlite"), baseURL: "http://localhost:8080", secureCookies: false,
        sendmailCommand: nil, mailDirectory: "mail", mailFrom: "Guild <guild@localhost>", hostname: "127.0.0.1",
        port: 8080, bcryptCost: 12, trustProxy: false, logFormat: .text, cacheTemplates: true, searchCacheSize: 1000,
        profileCacheSize: 5000,
        postgresSchema: nil, requestTimeout: 30, metricsToken: nil, sqliteReader: true,
        modelDirectory: ".guild/model/all-MiniLM-L6-v2", modelFetch: true, swiftMatrixKernel: false,
        matchesPerMinute: 60)

    /// Reads the environment; a wrong value throws an error naming the variable.
    public static func from(environment env: [String: String]) throws(ConfigError) -> AppConfig {
        var config = AppConfig.development
        if let raw = env.nonEmpty("DATABASE_URL") { config.database = try parseDatabaseURL(raw) }
        if let raw = env.nonEmpty("GUILD_BASE_URL") {
            guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host?.isEmpty == false
            else { throw ConfigError(variable: "GUILD_BASE_URL", problem: "must be an http(s) URL such as https://guild.example.org") }
            config.baseURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            config.secureCookies = scheme == "https"
        }
        if let raw = env.nonEmpty("GUILD_SECURE_COOKIES") {
            config.secureCookies = try parseBool(raw, variable: "GUILD_SECURE_COOKIES")
        }
        if let raw = env.nonEmpty("GUILD_SENDMAIL") {
            config.sendmailCommand = raw.split(separator: " ").map(String.init)
        }
        if let raw = env.nonEmpty("GUILD_MAIL_DIR") { config.mailDirectory = raw }
        if let raw = env.nonEmpty("GUILD_MAIL_FROM") {
            guard raw.contains("@"), !raw.contains("\n"), !raw.contains("\r") else {
                throw ConfigError(variable: "GUILD_MAIL_FROM", problem: "must be an address such as Guild <guild@example.org>")
            }
            config.mailFrom = raw
        }
        if let raw = env.nonEmpty("GUILD_HOSTNAME") { config.hostname = raw }
        if let raw = env.nonEmpty("GUILD_PORT") { config.port = try parseInt(raw, variable: "GUILD_PORT", in: 1...65535) }
        if let raw = env.nonEmpty("GUILD_BCRYPT_COST") {
            config.bcryptCost = try parseInt(raw, variable: "GUILD_BCRYPT_COST", in: 4...31)
        }
        if let raw = env.nonEmpty("GUILD_TRUST_PROXY") {
            config.trustProxy = try parseBool(raw, variable: "GUILD_TRUST_PROXY")
        }
        if let raw = env.nonEmpty("GUILD_TRUSTED_PROXIES") {
            config.trustedProxies = try parseInt(raw, variable: "GUILD_TRUSTED_PROXIES", in: 1...10)
        }
        if let raw = env.nonEmpty("GUILD_TEMPLATE_CACHE") {
            config.cacheTemplates = try parseBool(raw, variable: "GUILD_TEMPLATE_CACHE")
        }
        if let raw = env.nonEmpty("GUILD_SEARCH_CACHE") {
            config.searchCacheSize = try parseInt(raw, variable: "GUILD_SEARCH_CACHE", in: 0...100_000)
        }
        if let raw = env.nonEmpty("GUILD_PROFILE_CACHE") {
            config.profileCacheSize = try parseInt(raw, variable: "GUILD_PROFILE_CACHE", in: 0...1_000_000)
        }
        if let raw = env.nonEmpty("GUILD_REQUEST_TIMEOUT") {
            config.requestTimeout = try parseInt(raw, variable: "GUILD_REQUEST_TIMEOUT", in: 1...3600)
        }
        if let raw = env.nonEmpty("GUILD_METRICS_TOKEN") {
            guard raw.count >= 16 else {
                throw ConfigError(variable: "GUILD_METRICS_TOKEN", problem: "must be at least 16 characters")
            }
            config.metricsToken = raw
        }
        if let raw = env.nonEmpty("GUILD_SQLITE_READER") {
            config.sqliteReader = try parseBool(raw, variable: "GUILD_SQLITE_READER")
        }
        if let raw = env.nonEmpty("GUILD_MODEL_DIR") { config.modelDirectory = raw }
        if let raw = env.nonEmpty("GUILD_MODEL_FETCH") {
            config.modelFetch = try parseBool(raw, variable: "GUILD_MODEL_FETCH")
        }
        if let raw = env.nonEmpty("GUILD_MATRIX_KERNEL") {
            guard ["swift", "openblas"].contains(raw.lowercased()) else {
                throw ConfigError(variable: "GUILD_MATRIX_KERNEL", problem: "must be swift or openblas")
            }
            config.swiftMatrixKernel = raw.lowercased() == "swift"
        }
        if let raw = env.nonEmpty("GUILD_MATCHES_PER_MINUTE") {
            config.matchesPerMinute = try parseInt(raw, variable: "GUILD_MATCHES_PER_MINUTE", in: 0...1_000_000)
        }
        if let raw = env.nonEmpty("GUILD_FEEDS_REFRESH") {
            config.feedsRefresh = try parseInterval(raw, variable: "GUILD_FEEDS_REFRESH")
        }
        if let raw = env.nonEmpty("GUILD_DB_POOL_WAIT") {
            config.databasePoolWait = try parseInt(raw, variable: "GUILD_DB_POOL_WAIT", in: 1...300)
        }
        if let raw = env.nonEmpty("GUILD_FEEDS_ALLOW_PRIVATE") {
            config.feedsAllowPrivate = try parseBool(raw, variable: "GUILD_FEEDS_ALLOW_PRIVATE")
        }
        if let raw = env.nonEmpty("GUILD_REPLY_DOMAIN") {
            guard let domain = ContactMailRules.domain(raw) else {
                throw ConfigError(variable: "GUILD_REPLY_DOMAIN", problem: "must be a domain name such as reply.guild.example.org")
            }
            config.replyDomain = domain
        }
        if let raw = env.nonEmpty("GUILD_RUNBOOK_KEY") {
            let current: Data
            switch RunbookKeys.parse(raw) {
            case .success(let key): current = key
            case .failure(let problem): throw ConfigError(variable: "GUILD_RUNBOOK_KEY", problem: problem.sentence)
            }
            var old: [Data] = []
            for (index, text) in (env.nonEmpty("GUILD_RUNBOOK_OLD_KEYS") ?? "").split(separator: ",").enumerated() {
                switch RunbookKeys.parse(String(text)) {
                case .success(let key): old.append(key)
                case .failure(let problem): throw ConfigError(variable: "GUILD_RUNBOOK_OLD_KEYS", problem: "key \(index + 1) \(problem.sentence)")
                }
            }
            config.runbookKeys = RunbookKeys(current: current, old: old)
            config.runbookKeyFile = nil
        } else if env.nonEmpty("GUILD_RUNBOOK_OLD_KEYS") != nil {
            throw ConfigError(variable: "GUILD_RUNBOOK_OLD_KEYS", problem: "needs GUILD_RUNBOOK_KEY, the key to seal runbooks with from now on")
        }
        if let raw = env.nonEmpty("GUILD_LOG_FORMAT") {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                throw ConfigError(variable: "GUILD_LOG_FORMAT", problem: "must be text or json")
            }
            config.logFormat = format
        }
        return config
    }

    /// `sqlite:///abs/path.sqlite`, `sqlite://relative.sqlite`, `postgres://user:pass@host:port/db`, or
    /// `postgres+uds://user@localhost/path/to/.s.PGSQL.5432#db` for PostgreSQL's Unix socket on the same machine.
    static func parseDatabaseURL(_ raw: String) throws(ConfigError) -> Database {
        if raw.hasPrefix("sqlite://") {
            let path = String(raw.dropFirst("sqlite://".count))
            guard !path.isEmpty, !path.hasSuffix("/") else {
                throw ConfigError(variable: "DATABASE_URL", problem: "sqlite URL needs a file path, e.g. sqlite://guild.sqlite")
            }
            return .sqlite(path: path)
        }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let url = URL(string: raw), url.host?.isEmpty == false, url.path.count > 1 else {
                throw ConfigError(variable: "DATABASE_URL", problem: "postgres URL needs a host and a database, e.g. postgres://guild:secret@localhost:5432/guild")
            }
            return .postgres(url: raw)
        }
        if raw.hasPrefix("postgres+uds://") || raw.hasPrefix("postgresql+uds://") {
            guard let url = URLComponents(string: raw), url.user?.isEmpty == false, url.path.count > 1,
                  url.fragment?.isEmpty == false, url.port == nil, [nil, "", "localhost"].contains(url.host)
            else {
                throw ConfigError(variable: "DATABASE_URL", problem: "postgres+uds URL needs a user, the socket's path and the database, e.g. postgres+uds://guild@localhost/var/run/postgresql/.s.PGSQL.5432#guild")
            }
            return .postgres(url: raw)
        }
        throw ConfigError(variable: "DATABASE_URL", problem: "must start with sqlite://, postgres:// or postgres+uds://")
    }

    /// `off`, or a number of minutes or hours: `30m`, `1h`, `6h` (5 minutes to a week); seconds, or nil for off.
    static func parseInterval(_ raw: String, variable: String) throws(ConfigError) -> Int? {
        let text = raw.lowercased()
        if ["off", "0", "no", "false"].contains(text) { return nil }
        let unit: Int? = text.hasSuffix("m") ? 60 : text.hasSuffix("h") ? 3600 : nil
        guard let unit, let count = Int(text.dropLast()), (300...604_800).contains(count * unit) else {
            throw ConfigError(variable: variable, problem: "must be off, or minutes or hours such as 30m, 1h or 6h (5 minutes to a week)")
        }
        return count * unit
    }

    static func parseInt(_ raw: String, variable: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigError(variable: variable, problem: "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func parseBool(_ raw: String, variable: String) throws(ConfigError) -> Bool {
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(variable: variable, problem: "must be true or false")
        }
    }
}

/// A configuration mistake, reported as one line naming the variable.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var variable: String
    public var problem: String
    public var description: String { "Configuration error: \(variable) \(problem)." }
}

extension [String: String] {
    fileprivate func nonEmpty(_ key: String) -> String? {
        guard let value = self[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
