import Fluent
import SQLKit
import Vapor

/// The organizer report, kept per server: it reads every referral (seconds at a million), so it is
/// computed once and served from memory while the ledger has not changed (the newest `updated_at`,
/// an index lookup) and for ten minutes at most. When the ledger changed, the report is computed
/// again; if that takes longer than 200 ms the previous one is served meanwhile, with its time, and
/// the next view gets the new one. A small Guild therefore always sees current figures.
actor OrganizerReportCache {
    struct Entry: Sendable {
        var report: OrganizerReport
        var latestChange: Date?
        var computedAt: Date
    }

    static let maxAge: TimeInterval = 600
    private var entry: Entry?
    private var refreshing: Task<Entry, any Error>?

    func report(on db: any Database, now: Date = Date()) async throws -> Entry {
        let latest = try await Self.latestChange(on: db)
        if let entry, entry.latestChange == latest, now.timeIntervalSince(entry.computedAt) < Self.maxAge { return entry }
        let task = refreshing ?? Task {
            defer { refreshing = nil }
            let fresh = Entry(report: try await OrganizerReport.query(on: db), latestChange: latest, computedAt: Date())
            entry = fresh
            return fresh
        }
        refreshing = task
        guard let stale = entry else { return try await task.value }
        let fresh = await withTaskGroup(of: Entry?.self) { group in
            group.addTask { try? await task.value }
            group.addTask { try? await Task.sleep(for: .milliseconds(200)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return fresh ?? stale
    }

    static func latestChange(on db: any Database) async throws -> Date? {
        struct Row: Decodable { var latest: Date? }
        return try await db.sql.raw("SELECT MAX(updated_at) AS latest FROM referrals").first(decoding: Row.self)?.latest
    }
}
