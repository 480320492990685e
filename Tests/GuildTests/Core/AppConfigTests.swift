import Testing

@testable import Guild

@Suite("Configuration")
struct AppConfigTests {
    @Test("no environment gives the development defaults")
    func defaults() throws {
        let config = try AppConfig.from(environment: [:])
        #expect(config == .development)
        #expect(config.database == .sqlite(path: "guild.sqlite"))
        #expect(config.port == 8080)
        #expect(config.searchCacheSize == 1000)
        #expect(try AppConfig.from(environment: ["GUILD_SEARCH_CACHE": "0"]).searchCacheSize == 0)
        #expect(config.profileCacheSize == 5000)
        #expect(try AppConfig.from(environment: ["GUILD_PROFILE_CACHE": "0"]).profileCacheSize == 0)
    }

    @Test("DATABASE_URL picks the driver",
          arguments: [
            ("sqlite:///var/lib/guild/guild.sqlite", AppConfig.Database.sqlite(path: "/var/lib/guild/guild.sqlite")),
            ("sqlite://data/guild.sqlite", .sqlite(path: "data/guild.sqlite")),
            ("postgres://guild:secret@db:5432/guild", .postgres(url: "postgres://guild:secret@db:5432/guild")),
            ("postgresql://guild@localhost/guild", .postgres(url: "postgresql://guild@localhost/guild")),
            ("postgres+uds://guild@localhost/run/postgresql/.s.PGSQL.5432#guild",
             .postgres(url: "postgres+uds://guild@localhost/run/postgresql/.s.PGSQL.5432#guild")),
          ])
    func databaseURL(raw: String, expected: AppConfig.Database) throws {
        #expect(try AppConfig.from(environment: ["DATABASE_URL": raw]).database == expected)
    }

    @Test("a wrong value names the variable",
          arguments: [
            ("DATABASE_URL", "mysql://x/y"), ("DATABASE_URL", "sqlite://"), ("DATABASE_URL", "postgres://"),
            ("DATABASE_URL", "postgres+uds://guild@localhost/run/postgresql/.s.PGSQL.5432"),
            ("DATABASE_URL", "postgres+uds://guild@db:5432/run/.s.PGSQL.5432#guild"),
            ("GUILD_PORT", "80a"), ("GUILD_PORT", "70000"), ("GUILD_SECURE_COOKIES", "maybe"),
            ("GUILD_BASE_URL", "guild.example.org"), ("GUILD_BCRYPT_COST", "3"), ("GUILD_LOG_FORMAT", "xml"),
            ("GUILD_MAIL_FROM", "nobody"), ("GUILD_SEARCH_CACHE", "-1"), ("GUILD_SEARCH_CACHE", "lots"),
            ("GUILD_PROFILE_CACHE", "-5"), ("GUILD_PROFILE_CACHE", "2000000"),
          ])
    func wrongValue(variable: String, value: String) {
        #expect(throws: ConfigError.self) { try AppConfig.from(environment: [variable: value]) }
        do {
            _ = try AppConfig.from(environment: [variable: value])
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix("Configuration error: \(variable) "))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("an https base URL turns on secure cookies unless told otherwise")
    func secureCookies() throws {
        #expect(try AppConfig.from(environment: ["GUILD_BASE_URL": "https://guild.example.org/"]).secureCookies)
        #expect(try AppConfig.from(environment: ["GUILD_BASE_URL": "https://guild.example.org/"]).baseURL == "https://guild.example.org")
        #expect(!(try AppConfig.from(environment: ["GUILD_BASE_URL": "https://g.example", "GUILD_SECURE_COOKIES": "false"]).secureCookies))
    }

    @Test("GUILD_SENDMAIL is split into a command and its arguments")
    func sendmail() throws {
        #expect(try AppConfig.from(environment: ["GUILD_SENDMAIL": "/usr/bin/msmtp -t"]).sendmailCommand == ["/usr/bin/msmtp", "-t"])
    }
}
