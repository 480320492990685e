import Fluent
import SQLKit
import Vapor

/// Runs every job inside `guild serve`. Each job has its own loop: a failure is caught, logged with the
/// job's name, counted in `/metrics` (`guild_job_runs_total{job,outcome}`) and written to `job_runs`
/// (`guild jobs status`), and the next run comes at its time. A job scoped `.oncePerPeriod` is claimed
/// first with one conditional UPDATE, so with several servers on one database it runs once a period.
final class JobScheduler: LifecycleHandler, @unchecked Sendable {
    let jobs: [Job]
    /// This server, in `job_runs.instance` (which server ran a job last).
    let instance: String
    private var tasks: [Task<Void, Never>] = []

    init(jobs: [Job], instance: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)") {
        self.jobs = jobs
        self.instance = instance
    }

    func didBootAsync(_ app: Application) async throws {
        try await JobRuns.register(jobs.map(\.name), on: app.db)
        tasks = jobs.map { job in
            Task { [instance] in
                // A claimed job looks at least every minute: a server that starts late or a period that
                // another server's run began still runs on time.
                let wait = job.scope == .everyInstance ? job.period : min(job.period, .seconds(60))
                var last = LastWrite()
                while !Task.isCancelled {
                    await Self.run(job, app: app, instance: instance, last: &last)
                    try? await Task.sleep(for: wait)
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    enum Outcome: String, Sendable { case success, failure, skipped }

    /// What a job's loop last wrote to `job_runs`. A job that runs on every server every two seconds
    /// writes only when its outcome changes, and otherwise once a minute (that it is alive).
    struct LastWrite: Sendable {
        var outcome: Outcome?
        var at: ContinuousClock.Instant?

        func due(_ outcome: Outcome, scope: Job.Scope) -> Bool {
            scope == .oncePerPeriod || outcome != self.outcome || at.map { ContinuousClock.now - $0 > .seconds(60) } ?? true
        }
    }

    /// One run, recorded whatever its outcome (`guild jobs run`, the tests).
    @discardableResult
    static func run(_ job: Job, app: Application, instance: String, now: Date = Date()) async -> Outcome {
        var last = LastWrite()
        return await run(job, app: app, instance: instance, now: now, last: &last)
    }

    /// One run of `job` if it is due here (claimed, for `.oncePerPeriod`); `skipped` when another run
    /// of this period already started. Never throws: a job's failure is its outcome.
    @discardableResult
    static func run(_ job: Job, app: Application, instance: String, now: Date = Date(), last: inout LastWrite) async -> Outcome {
        let outcome: Outcome
        let started = ContinuousClock.now
        var failure: String?
        do {
            if job.scope == .oncePerPeriod {
                guard try await JobRuns.claim(job, instance: instance, now: now, on: app.db) else {
                    app.metrics.recordJob(job.name, outcome: Outcome.skipped.rawValue)
                    return .skipped
                }
            }
            if let said = try await job.body(app) { app.logger.info("\(job.name): \(said)", metadata: ["job": .string(job.name)]) }
            outcome = .success
        } catch is CancellationError {
            // The server is shutting down mid-run: not the job's failure.
            return .skipped
        } catch {
            failure = String(DatabaseUnavailable.summary(of: error).prefix(500))
            app.logger.error("job \(job.name) failed: \(failure ?? "")", metadata: ["job": .string(job.name)])
            outcome = .failure
        }
        app.metrics.recordJob(job.name, outcome: outcome.rawValue)
        if last.due(outcome, scope: job.scope) {
            try? await JobRuns.finish(job, instance: instance, outcome: outcome, error: failure, started: now,
                                      took: ContinuousClock.now - started, on: app.db)
            last = LastWrite(outcome: outcome, at: .now)
        }
        return outcome
    }
}

/// `job_runs`: the last run of each job, claimed and finished by `JobScheduler`, shown by `guild jobs status`.
enum JobRuns {
    struct Row: Decodable, Sendable {
        var name: String
        var started_at: Date?
        var finished_at: Date?
        var outcome: String?
        var error: String?
        var runs: Int
        var failures: Int
        var instance: String?
        var millis: Int?
    }

    static func register(_ names: [String], on db: any Database) async throws {
        for name in names {
            try await db.sql.raw("INSERT INTO job_runs (name, runs, failures) VALUES (\(bind: name), 0, 0) ON CONFLICT (name) DO NOTHING").run()
        }
    }

    /// True when this server may run `job` now: no run of it started within its period. One statement,
    /// so two servers asking at once cannot both get it (PostgreSQL re-checks the condition on the row
    /// the other updated; SQLite runs one writer at a time).
    static func claim(_ job: Job, instance: String, now: Date, on db: any Database) async throws -> Bool {
        struct Claimed: Decodable { var name: String }
        // A little less than the period: a run that started a moment late must not push every later one.
        let due = now.addingTimeInterval(-job.seconds * 0.95)
        try await register([job.name], on: db)
        return try await db.sql.raw("""
            UPDATE job_runs SET started_at = \(bind: now), instance = \(bind: instance), runs = runs + 1
            WHERE name = \(bind: job.name) AND (started_at IS NULL OR started_at <= \(bind: due))
            RETURNING name
            """).first(decoding: Claimed.self) != nil
    }

    /// Records how a run ended. `runs` counts claimed runs of a once-a-period job, and the recorded runs
    /// (changes of outcome, one a minute) of a job that runs on every server; `/metrics` counts them all.
    static func finish(_ job: Job, instance: String, outcome: JobScheduler.Outcome, error: String?, started: Date, took: Duration,
                       on db: any Database) async throws {
        let millis = Int(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000)
        let everyInstance = job.scope == .everyInstance
        try await db.sql.raw("""
            UPDATE job_runs SET finished_at = \(bind: Date()), outcome = \(bind: outcome.rawValue), error = \(bind: error),
                millis = \(bind: millis), failures = failures + \(literal: outcome == .failure ? 1 : 0),
                runs = runs + \(literal: everyInstance ? 1 : 0),
                started_at = CASE WHEN \(literal: everyInstance ? 1 : 0) = 1 THEN \(bind: started) ELSE started_at END,
                instance = \(bind: instance)
            WHERE name = \(bind: job.name)
            """).run()
    }

    static func all(on db: any Database) async throws -> [Row] {
        try await db.sql.raw("""
            SELECT name, started_at, finished_at, outcome, error, runs, failures, instance, millis FROM job_runs ORDER BY name
            """).all(decoding: Row.self)
    }
}
