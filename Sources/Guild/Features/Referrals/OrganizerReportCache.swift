import Fluent
import SQLKit
import Vapor

/// The organizer report, kept per server: it reads every referral (seconds at a million), so it is
/// computed once and served from memory while the ledger generation has not moved (migration 043's
/// triggers move it on every write to referrals and to the names, slugs and niches the report shows,
/// whoever writes them, on every server) and the month is the same (the chart is the last twelve
/// months). When it moved, the report is computed again; if that takes longer than 200 ms the
/// previous one is served meanwhile, with its time, and the next view gets the new one. With no report
/// yet (a fresh server; `guild serve` starts computing one at boot) a view waits two seconds at most
/// and then says the figures are being added up.
actor OrganizerReportCache {
    struct Entry: Sendable {
        var report: OrganizerReport
        var generation: Int64
        var month: String
        var computedAt: Date
    }

    nonisolated let generation: CacheGeneration
    private var entry: Entry?
    private var refreshing: Task<Entry, any Error>?

    init(generation: CacheGeneration) { self.generation = generation }

    /// The report, or nil when there is none yet and computing it takes longer than `patience`.
    func report(on db: any Database, patience: Duration = .seconds(2), now: Date = Date()) async throws -> Entry? {
        let current = try await generation.current(on: db), month = Self.month(now)
        if let entry, entry.generation == current, entry.month == month { return entry }
        let task = refreshing ?? Task {
            defer { refreshing = nil }
            let fresh = Entry(report: try await OrganizerReport.query(on: db, now: now), generation: current, month: month, computedAt: Date())
            entry = fresh
            return fresh
        }
        refreshing = task
        guard let stale = entry else { return try await Self.first(task, within: patience) }
        return (try? await Self.first(task, within: .milliseconds(200))) ?? stale
    }

    /// "2026-12": the UTC month the report's twelve months end with.
    static func month(_ date: Date) -> String {
        String(ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDashSeparatorInDate]))
    }

    /// The task's result if it comes within `limit`; nil otherwise (the task goes on). Its error, if it fails first.
    static func first(_ task: Task<Entry, any Error>, within limit: Duration) async throws -> Entry? {
        try await withThrowingTaskGroup(of: Entry?.self) { group in
            group.addTask { try await task.value }
            group.addTask { try? await Task.sleep(for: limit); return nil }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
