import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Two threads of their own, at a lower CPU priority, for bulk work a request starts (a 10 MB import):
/// the app's global executor is NIO's event loops, so without this every line of Swift an import runs
/// between its queries (building a 500-card batch, encoding its bind values) runs on a loop, and every
/// `/ping` on that loop waits behind it. `BulkExecutor.run` moves a whole body here; its awaits resume
/// here too. On Linux the threads' nice value is 10, so the loops win the CPU whenever they have work;
/// two, so one member's import does not queue another's behind it.
final class BulkExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = BulkExecutor()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    private init() {
        for index in 1...2 {
            Thread { [unowned self] in self.loop(name: "guild-bulk-\(index)") }.start()
        }
    }

    /// Runs `body` with this executor preferred for it and the tasks it starts.
    static func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(shared) {
            // The preference takes effect at the next enqueue: hop now, or a body that never suspends
            // (a parse) would run where it was called.
            await Task.yield()
            return try await body()
        }
    }

    /// Synchronous CPU work (parsing a file) on these threads.
    static func compute<T: Sendable>(_ work: @Sendable () throws -> T) async throws -> T {
        try await run { try work() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop(name: String) {
        #if os(Linux)
        // 0 is the calling thread on Linux, where the nice value belongs to each thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        // The kernel's name, for top -H and the benchmarks (Foundation's Thread.name does not set it here).
        try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        #endif
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1_024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}
