import Taxonomy
import Fluent
import Leaf
import LeafKit
import Vapor

/// Builds the whole application from one configuration value.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.guildConfig = config
    app.runbookCipher = try RunbookKeyFile.keys(config, workingDirectory: app.directory.workingDirectory).map(RunbookCipher.init)
    // Our own blocking pool, not NIO's shared one (a thread per core): SQLite waits for its write lock
    // on a pool thread, and bcrypt runs there too, so with two waiting writers on two threads the
    // writer holding the lock could not reach its COMMIT until busy_timeout gave up on the others.
    app.threadPool = NIOThreadPool(numberOfThreads: max(8, 4 * System.coreCount))
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
    let taxonomyPath = app.directory.resourcesDirectory + "Taxonomy/niches.txt"
    guard let taxonomyText = try? String(contentsOfFile: taxonomyPath, encoding: .utf8) else {
        throw ConfigError(variable: "working directory",
                          problem: "has no \(taxonomyPath); run guild from the project directory (it reads Resources/ and Public/ there)")
    }
    app.taxonomy = try Taxonomy.parse(taxonomyText)
    app.migrations.add(GuildMigrations.all(taxonomy: app.taxonomy))

    // Not `.leaf`: Vapor's Leaf turns its cache off whenever the environment is `development`, the
    // default, so every page re-read and re-lexed its templates (a quarter of a profile page's CPU).
    // GUILD_TEMPLATE_CACHE alone decides.
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
                            sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    // Parsed templates are kept unless a developer asks to see edits without a restart.
    app.leaf.cache.isEnabled = config.cacheTemplates
    let generation = CacheGeneration(.directory, reader: app.sqliteReader)
    app.directoryGeneration = generation
    app.knowledgeGeneration = CacheGeneration(.knowledge, reader: app.sqliteReader)
    app.postSearchCache = PostSearchCache(capacity: config.searchCacheSize, generation: app.knowledgeGeneration)
    app.searchCache = SearchCache(capacity: config.searchCacheSize, generation: generation)
    // Not a page of results: kept even with GUILD_SEARCH_CACHE=0, so that measures ranking alone.
    app.nicheVocabulary = NicheVocabularyCache(capacity: 1, generation: generation)
    app.profileCache = ProfileCache(capacity: config.profileCacheSize, generation: generation)
    // Niche pages count as directory pages: GUILD_SEARCH_CACHE sizes them too (0 turns both off).
    app.nicheCache = NicheCache(capacity: config.searchCacheSize, generation: generation)
    app.nicheIndexCache = NicheIndexCache(capacity: config.searchCacheSize > 0 ? 1 : 0, generation: generation)
    app.fragments = FragmentCache(capacity: config.searchCacheSize, generation: generation)
    app.matchingModel = MatchingModel(
        directory: URL(fileURLWithPath: config.modelDirectory, relativeTo: URL(fileURLWithPath: app.directory.workingDirectory)),
        preferSwiftKernel: config.swiftMatrixKernel)
    app.matchIndex = MatchIndex()
    app.matchThrottle = MatchThrottle(perMinute: config.matchesPerMinute)
    app.organizerReports = OrganizerReportCache(generation: CacheGeneration(.ledger, reader: app.sqliteReader))

    app.middleware = .init()
    app.middleware.use(RequestMetricsMiddleware(metrics: app.metrics))
    app.middleware.use(CacheGenerationMiddleware(generations: [generation, app.knowledgeGeneration, app.organizerReports.generation]))
    app.middleware.use(SecurityHeadersMiddleware(secure: config.secureCookies))
    app.middleware.use(GuildErrorMiddleware())
    app.middleware.use(RequestDeadlineMiddleware(timeout: .seconds(config.requestTimeout)))
    app.middleware.use(PathGuardMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))

    app.asyncCommands.use(GuildServeCommand(), as: "serve", isDefault: true)
    app.asyncCommands.use(GuildMigrateCommand(), as: "migrate")
    app.asyncCommands.use(AdminCommand(), as: "admin")
    app.asyncCommands.use(OutboxCommand(), as: "outbox")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(NichesCommand(), as: "niches")
    app.asyncCommands.use(ModelCommand(), as: "model")
    app.asyncCommands.use(MatchCommand(), as: "match")
    app.asyncCommands.use(ReferralsCommand(), as: "referrals")
    app.asyncCommands.use(ContactsCommand(), as: "contacts")
    app.asyncCommands.use(EventsCommand(), as: "events")
    app.asyncCommands.use(MailCommand(), as: "mail")
    app.asyncCommands.use(FeedsCommand(), as: "feeds")
    app.asyncCommands.use(CoverCommand(), as: "cover")
    app.asyncCommands.use(DisciplinesCommand(), as: "disciplines")
    app.asyncCommands.use(JobsCommand(), as: "jobs")

    try routes(app)
}
