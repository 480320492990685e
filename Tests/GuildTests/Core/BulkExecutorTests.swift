import Foundation
import Testing

@testable import Guild

/// The kernel's name of the calling thread (what `top -H` and the benchmarks read).
private func threadName() -> String {
    ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Bulk executor")
struct BulkExecutorTests {
    @Test("a body and what it awaits run on the bulk threads, not on an event loop")
    func runsOnItsThreads() async throws {
        let names = try await BulkExecutor.run { () async throws -> [String] in
            let before = threadName()
            try await Task.sleep(for: .milliseconds(5))
            return [before, threadName()]
        }
        #expect(names.allSatisfy { $0.hasPrefix("guild-bulk") }, "\(names)")
        let computed = try await BulkExecutor.compute { threadName() }
        #expect(computed.hasPrefix("guild-bulk"), "\(computed)")
    }
}
