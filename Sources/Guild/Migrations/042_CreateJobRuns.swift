import Fluent
import SQLKit

/// `job_runs` (issue 31): the last run of each background job, one row per job. A once-a-period job is
/// claimed by the server whose conditional UPDATE of `started_at` succeeds; `guild jobs status` reads it.
struct CreateJobRuns: AsyncMigration {
    var name: String { "042_CreateJobRuns" }

    func prepare(on database: any Database) async throws {
        let timestamp = (database as! any SQLDatabase).dialect.name == "sqlite" ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await (database as! any SQLDatabase).raw("""
            CREATE TABLE job_runs (
                name TEXT PRIMARY KEY, started_at \(unsafeRaw: timestamp), finished_at \(unsafeRaw: timestamp),
                outcome TEXT, error TEXT, millis INTEGER, runs INTEGER NOT NULL, failures INTEGER NOT NULL, instance TEXT)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP TABLE IF EXISTS job_runs").run()
    }
}
