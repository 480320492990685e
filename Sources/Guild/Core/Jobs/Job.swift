import Vapor

/// A background job: a name, how often it runs and what it does. Features declare their jobs next to
/// their code (`KnowledgeDigest.job`); `Jobs.all` lists them once and `JobScheduler` runs them inside
/// `guild serve`, each in its own loop, so one that fails or hangs never skips another.
struct Job: Sendable {
    enum Scope: Sendable {
        /// Runs once per period whichever server gets there first (claimed in `job_runs`): digests,
        /// sweeps, reminders, feed fetches.
        case oncePerPeriod
        /// Runs on every server that runs jobs, every period: work that shares itself out with its own
        /// leases (outbox delivery).
        case everyInstance
    }

    var name: String
    var period: Duration
    var scope = Scope.oncePerPeriod
    /// The work; returns a line worth logging (what it did), or nil when there was nothing to do.
    var body: @Sendable (Application) async throws -> String?

    init(_ name: String, every period: Duration, scope: Scope = .oncePerPeriod,
         _ body: @escaping @Sendable (Application) async throws -> String?) {
        self.name = name
        self.period = period
        self.scope = scope
        self.body = body
    }

    var seconds: Double { Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18 }
}
