import Directory
import Fluent
import Leaf
import Vapor

/// Builds the whole application from one configuration value.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.guildConfig = config
    app.metrics = GuildMetrics()
    if let command = config.sendmailCommand {
        app.mailTransport = SendmailTransport(command: command)
    } else {
        app.mailTransport = FileMailTransport(directory: config.mailDirectory)
    }
    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port
    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.dummyPasswordHash = try await app.password.async.hash(SecureToken.generate())
    app.routes.defaultMaxBodySize = "256kb"

    try DatabaseSetup.use(config, on: app)
    try await DatabaseSetup.prepareSQLiteConnections(on: app)
    app.taxonomy = try Taxonomy.parse(
        String(contentsOfFile: app.directory.resourcesDirectory + "Taxonomy/niches.txt", encoding: .utf8))
    app.migrations.add(GuildMigrations.all(taxonomy: app.taxonomy))

    app.views.use(.leaf)
    // Parsed templates are kept unless a developer asks to see edits without a restart.
    app.leaf.cache.isEnabled = config.cacheTemplates
    app.searchCache = SearchCache(capacity: config.searchCacheSize)

    app.middleware = .init()
    app.middleware.use(RequestMetricsMiddleware(metrics: app.metrics))
    app.middleware.use(SecurityHeadersMiddleware(secure: config.secureCookies))
    app.middleware.use(GuildErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))

    app.asyncCommands.use(GuildServeCommand(), as: "serve", isDefault: true)
    app.asyncCommands.use(GuildMigrateCommand(), as: "migrate")
    app.asyncCommands.use(AdminCommand(), as: "admin")
    app.asyncCommands.use(OutboxCommand(), as: "outbox")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(DemoCommand(), as: "demo")

    try routes(app)
}
