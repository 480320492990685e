import Fluent
import Vapor

/// `guild jobs status | run --name NAME`: the background jobs `guild serve` runs, when each last ran (on which
/// server, how long it took, how it ended and why it failed), and one run of a job now.
struct JobsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "status, or run")
        var action: String
        @Option(name: "name", help: "run: the job's name, as `guild jobs status` lists it")
        var name: String?
    }

    var help: String { "Background jobs: `status` (each job's period and last run), `run --name NAME` (one run now, claimed like the server's)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let jobs = Job.all(app.guildConfig)
        switch signature.action {
        case "status":
            for line in try await Self.status(of: jobs, on: app.db) { context.console.print(line) }
        case "run":
            guard let name = signature.name, let job = jobs.first(where: { $0.name == name }) else {
                throw AdminCommand.UsageError(description: "run needs a job's name: \(jobs.map(\.name).joined(separator: ", "))")
            }
            // Claimed like the server's runs: a run of this period already started elsewhere is not repeated.
            let outcome = await JobScheduler.run(job, app: app, instance: "guild jobs run")
            context.console.print("\(job.name): \(outcome.rawValue)")
            if outcome == .failure { throw AdminCommand.UsageError(description: "\(job.name) failed; `guild jobs status` shows why") }
        default:
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use status or run --name NAME")
        }
    }

    /// A line per job: its period and scope, then its last run, or "never ran".
    static func status(of jobs: [Job], on db: any Database) async throws -> [String] {
        let runs = Dictionary(try await JobRuns.all(on: db).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let format = Date.ISO8601FormatStyle(timeZone: .gmt)
        return jobs.map { job in
            let every = job.seconds >= 60 ? "\(Int(job.seconds / 60)) min" : "\(Int(job.seconds)) s"
            let scope = job.scope == .everyInstance ? "every server" : "once"
            guard let run = runs[job.name], let finished = run.finished_at else { return "\(job.name): every \(every), \(scope); never ran" }
            var line = "\(job.name): every \(every), \(scope); last \(run.outcome ?? "?") at \(finished.formatted(format))"
            if let millis = run.millis { line += " in \(millis) ms" }
            if let instance = run.instance { line += " on \(instance)" }
            line += "; \(run.runs) run(s), \(run.failures) failed"
            if run.outcome == "failure", let error = run.error { line += "\n    \(error)" }
            return line
        }
    }
}
