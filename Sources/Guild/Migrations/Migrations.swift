import Fluent

/// The database's history, in order. Append; never edit a step that has landed.
enum GuildMigrations {
    static let all: [any Migration] = [
        CreateUsers(),
        CreateSessions(),
        CreateAPITokens(),
        CreatePasswordResets(),
        CreateThrottleEvents(),
        CreateOutboxMessages(),
    ]
}
