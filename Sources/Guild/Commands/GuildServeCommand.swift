import Fluent
import Vapor

/// `guild serve [--hostname H] [--port P] [--bind H:P] [--demo]`: migrates, starts the background
/// jobs, then hands over to Vapor's own serve command.
struct GuildServeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "hostname", short: "H", help: "Set the hostname the server will run on.")
        var hostname: String?
        @Option(name: "port", short: "p", help: "Set the port the server will run on.")
        var port: Int?
        @Option(name: "bind", short: "b", help: "Convenience for setting hostname and port together.")
        var bind: String?
        @Flag(name: "demo", help: "Fill an empty database with a demo network to explore.")
        var demo: Bool
        @Flag(name: "no-jobs", help: "Do not run background jobs (mail delivery, digests, sweeps, feeds; `guild jobs status` lists them) in this instance.")
        var noJobs: Bool
    }

    var help: String { "Migrates the database, starts the background jobs and serves Guild over HTTP." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await RunbookKeyFile.check(app, demo: signature.demo)
        if signature.demo {
            try await DemoData.seedIfEmpty(app, console: context.console)
        }
        try GenerationNotifications.start(app)
        if !signature.noJobs {
            let jobs = JobScheduler(jobs: Job.all(app.guildConfig))
            try await jobs.didBootAsync(app)
            app.lifecycle.use(jobs)
            // Loads the model (fetching it once if allowed) and embeds queued profile text.
            let matching = MatchWorker(fetchIfMissing: app.guildConfig.modelFetch)
            try await matching.didBootAsync(app)
            app.lifecycle.use(matching)
            // The organizer report reads every referral: have it ready before the first organizer asks.
            Task { _ = try? await app.organizerReports.report(on: app.db, patience: .seconds(3600)) }
        }
        var arguments = ["guild"]
        if let hostname = signature.hostname { arguments += ["--hostname", hostname] }
        if let port = signature.port { arguments += ["--port", String(port)] }
        if let bind = signature.bind { arguments += ["--bind", bind] }
        var serveContext = context
        serveContext.input = CommandInput(arguments: arguments)
        try await app.servers.asyncCommand.run(using: &serveContext)
    }
}
