import Fluent
import SQLKit
import Vapor

/// The organizer report, kept per server: it reads every referral (seconds at a million), so it is
/// computed once and served from memory while the ledger has not changed (the newest `updated_at`,
/// an index lookup) and for ten minutes at most. When the ledger changed, the report is computed
/// again; if that takes longer than 200 ms the previous one is served meanwhile, with its time, and
/// the next view gets the new one. A small Guild therefore always sees current figures. With no
/// report yet (a fresh server; `guild serve` starts computing one at boot) a view waits two seconds
/// at most and then says the figures are being added up.
actor OrganizerReportCache {
    struct Entry: Sendable {
        var report: OrganizerReport
        var latestChange: Date?
        var computedAt: Date
    }

    static let maxAge: TimeInterval = 600
    private var entry: Entry?
    private var refreshing: Task<Entry, any Error>?

    /// The report, or nil when there is none yet and computing it takes longer than `patience`.
    func report(on db: any Database, patience: Duration = .seconds(2), now: Date = Date()) async throws -> Entry? {
        let latest = try await Self.latestChange(on: db)
        if let entry, entry.latestChange == latest, now.timeIntervalSince(entry.computedAt) < Self.maxAge { return entry }
        let task = refreshing ?? Task {
            defer { refreshing = nil }
            let fresh = Entry(report: try await OrganizerReport.query(on: db), latestChange: latest, computedAt: Date())
            entry = fresh
            return fresh
        }
        refreshing = task
        guard let stale = entry else { return try await Self.first(task, within: patience) }
        return (try? await Self.first(task, within: .milliseconds(200))) ?? stale
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

    static func latestChange(on db: any Database) async throws -> Date? {
        struct Row: Decodable { var latest: Date? }
        return try await db.sql.raw("SELECT MAX(updated_at) AS latest FROM referrals").first(decoding: Row.self)?.latest
    }
}
