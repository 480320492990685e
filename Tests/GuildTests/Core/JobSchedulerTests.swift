import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import Guild

/// The one scheduler of background jobs: failures isolated and recorded, claims across servers.
@Suite("Job scheduler")
struct JobSchedulerTests {
    struct Broken: Error, CustomStringConvertible { var description: String { "the feed server said no" } }

    @Test("a failing job is logged, counted and recorded with its reason, and the next job still runs")
    func failuresIsolated() async throws {
        try await withGuild { app, _ in
            // setup
            let ran = NIOLockedValueBox(0)
            let failing = Job("test-failing", every: .seconds(600)) { _ in throw Broken() }
            let counting = Job("test-counting", every: .seconds(600)) { _ in
                ran.withLockedValue { $0 += 1 }
                return "counted"
            }
            // act
            let outcomes = [await JobScheduler.run(failing, app: app, instance: "a"), await JobScheduler.run(counting, app: app, instance: "a")]
            // assert
            #expect(outcomes == [.failure, .success])
            #expect(ran.withLockedValue { $0 } == 1)
            let runs = Dictionary(try await JobRuns.all(on: app.db).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(runs["test-failing"]?.outcome == "failure")
            #expect(runs["test-failing"]?.error?.contains("the feed server said no") == true)
            #expect(runs["test-failing"]?.failures == 1)
            #expect(runs["test-counting"]?.outcome == "success")
            #expect(runs["test-counting"]?.runs == 1)
            let metrics = app.metrics.registry.emitToString()
            #expect(metrics.contains(#"guild_job_runs_total{job="test-failing",outcome="failure"} 1"#))
            #expect(metrics.contains(#"guild_job_runs_total{job="test-counting",outcome="success"} 1"#))
        }
    }

    @Test("a once-a-period job asked for by several servers at once runs once")
    func claimedOnce() async throws {
        try await withGuild { app, _ in
            // setup
            let ran = NIOLockedValueBox(0)
            let job = Job("test-digest", every: .seconds(600)) { _ in
                ran.withLockedValue { $0 += 1 }
                return nil
            }
            // act: four servers, five tries each, all at once
            let outcomes = await withTaskGroup(of: JobScheduler.Outcome.self) { group in
                for server in 0..<4 {
                    for _ in 0..<5 { group.addTask { await JobScheduler.run(job, app: app, instance: "server-\(server)") } }
                }
                return await group.reduce(into: [JobScheduler.Outcome]()) { $0.append($1) }
            }
            // assert
            #expect(ran.withLockedValue { $0 } == 1)
            #expect(outcomes.filter { $0 == .success }.count == 1)
            #expect(outcomes.filter { $0 == .skipped }.count == 19)
            #expect(app.metrics.registry.emitToString().contains(#"guild_job_runs_total{job="test-digest",outcome="skipped"} 19"#))
            // a period later it is due again
            #expect(await JobScheduler.run(job, app: app, instance: "server-0", now: Date().addingTimeInterval(601)) == .success)
        }
    }

    @Test("each job has its own loop: one that hangs does not hold up another, and shutdown ends both")
    func ownLoops() async throws {
        try await withGuild { app, _ in
            // setup
            let ticks = NIOLockedValueBox(0)
            let hanging = Job("test-hanging", every: .seconds(600)) { _ in
                try await Task.sleep(for: .seconds(3600))
                return nil
            }
            let ticking = Job("test-ticking", every: .milliseconds(50), scope: .everyInstance) { _ in
                ticks.withLockedValue { $0 += 1 }
                return nil
            }
            let scheduler = JobScheduler(jobs: [hanging, ticking], instance: "test")
            // act
            try await scheduler.didBootAsync(app)
            for _ in 0..<400 where ticks.withLockedValue({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(50)) }
            await scheduler.shutdownAsync(app)
            // assert
            #expect(ticks.withLockedValue { $0 } >= 3)
        }
    }

    @Test("every job guild serve runs has its own name, and `guild jobs status` lists them")
    func registry() async throws {
        try await withGuild { app, _ in
            var config = app.guildConfig
            config.feedsRefresh = 3600
            let names = Job.all(config).map(\.name)
            #expect(Set(names).count == names.count)
            for expected in ["outbox-delivery", "outbox-purge", "throttle-sweep", "knowledge-digest", "follow-up-digest", "disciplines-summary",
                             "event-reminders", "one-to-one-reminders", "feeds-refresh"] {
                #expect(names.contains(expected))
            }
            let before = try await JobsCommand.status(of: Job.all(config), on: app.db)
            #expect(before.contains("outbox-purge: every 60 min, once; never ran"))
            #expect(before.contains("outbox-delivery: every 2 s, every server; never ran"))
            await JobScheduler.run(OutboxRetention.job, app: app, instance: "test-server")
            let after = try await JobsCommand.status(of: Job.all(config), on: app.db)
            #expect(after.contains { $0.hasPrefix("outbox-purge: every 60 min, once; last success at ") && $0.hasSuffix("on test-server; 1 run(s), 0 failed") })
        }
    }
}
