import AsyncHTTPClient
import Fluent
import Formats
import SQLKit
import Vapor

/// Reads recommended blogs' feeds into `blog_items` ("from the blogs" on a niche's blogroll).
/// `guild feeds refresh` runs a pass; `guild serve` runs one every few minutes when
/// `GUILD_FEEDS_REFRESH` sets how often each feed is read. Servers sharing a database take each blog
/// under a two-minute lease, so a feed is fetched by one of them at a time. A feed that keeps failing
/// is tried less often (twice the interval per failure in a row, up to 32 times).
enum FeedRefresh {
    struct Summary: Sendable, Equatable {
        var fetched = 0, unchanged = 0, failed = 0
    }

    static let lease: TimeInterval = 120

    static func client(on app: Application) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .shared(app.eventLoopGroup), configuration: .init(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)),
            decompression: .enabled(limit: .size(4 * 1_048_576))))
    }

    /// One pass: every blog due (or every blog, with `all`), at most `limit`.
    static func refresh(app: Application, every interval: Int, all: Bool = false, limit: Int = 200, now: Date = Date(),
                        fetcher: FeedFetcher? = nil) async throws -> Summary {
        let db = app.db
        let candidates = try await db.sql.raw("""
            SELECT id, feed_url, etag, last_modified, fetched_at, failures FROM blogs
            WHERE (fetched_at IS NULL OR fetched_at < \(bind: all ? now.addingTimeInterval(1) : now.addingTimeInterval(-Double(interval))))
                AND (fetch_lease_until IS NULL OR fetch_lease_until < \(bind: now))
            ORDER BY fetched_at IS NOT NULL, fetched_at, id LIMIT \(literal: limit)
            """).all(decoding: Due.self)
        let due = candidates.filter { candidate in
            guard !all, let fetched = candidate.fetched_at, candidate.failures > 0 else { return true }
            return now.timeIntervalSince(fetched) >= Double(interval) * Double(1 << min(candidate.failures, 5))
        }
        guard !due.isEmpty else { return Summary() }
        let owned = fetcher == nil ? client(on: app) : nil
        let fetcher = fetcher ?? FeedFetcher(client: owned!, allowPrivate: app.guildConfig.feedsAllowPrivate,
                                             userAgent: "Guild feed reader (+\(app.guildConfig.baseURL))")
        do {
            let summary = try await refresh(due, with: fetcher, now: now, on: app.db)
            try await owned?.shutdown()
            return summary
        } catch {
            try? await owned?.shutdown()
            throw error
        }
    }

    private struct Due: Decodable { var id: UUID; var feed_url: String; var etag: String?; var last_modified: String?; var fetched_at: Date?; var failures: Int }

    private static func refresh(_ due: [Due], with fetcher: FeedFetcher, now: Date, on db: any Database) async throws -> Summary {
        var summary = Summary()
        for blog in due {
            struct Claimed: Decodable { var id: UUID }
            guard try await db.sql.raw("""
                UPDATE blogs SET fetch_lease_until = \(bind: now.addingTimeInterval(lease))
                WHERE id = \(bind: blog.id) AND (fetch_lease_until IS NULL OR fetch_lease_until < \(bind: now)) RETURNING id
                """).first(decoding: Claimed.self) != nil else { continue }
            let outcome = await fetcher.fetch(blog.feed_url, etag: blog.etag, lastModified: blog.last_modified)
            let fetchedAt = Date()
            switch outcome {
            case .fetched(let document, let etag, let lastModified):
                try await store(document, of: blog.id, at: fetchedAt, on: db)
                try await db.sql.raw("""
                    UPDATE blogs SET etag = \(bind: etag.map { String($0.prefix(500)) }), last_modified = \(bind: lastModified.map { String($0.prefix(100)) }),
                        fetched_at = \(bind: fetchedAt), failures = 0, last_error = NULL, fetch_lease_until = NULL WHERE id = \(bind: blog.id)
                    """).run()
                summary.fetched += 1
            case .notModified:
                try await db.sql.raw("""
                    UPDATE blogs SET fetched_at = \(bind: fetchedAt), failures = 0, last_error = NULL, fetch_lease_until = NULL
                    WHERE id = \(bind: blog.id)
                    """).run()
                summary.unchanged += 1
            case .failed(let reason):
                try await db.sql.raw("""
                    UPDATE blogs SET fetched_at = \(bind: fetchedAt), failures = failures + 1, last_error = \(bind: String(reason.prefix(300))),
                        fetch_lease_until = NULL WHERE id = \(bind: blog.id)
                    """).run()
                summary.failed += 1
            }
        }
        return summary
    }

    /// Keeps the feed's items (the newest 20), as plain text; links only when they are http(s).
    static func store(_ document: FeedDocument, of blogID: UUID, at now: Date, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            for item in document.items.prefix(FeedDocument.itemLimit) {
                let id = String((item.id.isEmpty ? item.title : item.id).prefix(500))
                try await db.sql.raw("""
                    INSERT INTO blog_items (id, blog_id, guid, title, link, summary, published_at, fetched_at)
                    VALUES (\(bind: UUID()), \(bind: blogID), \(bind: id), \(bind: item.title), \(bind: Blogroll.normalizedURL(item.link) ?? ""),
                        \(bind: item.summary), \(bind: item.published), \(bind: now))
                    ON CONFLICT (blog_id, guid) DO UPDATE SET title = EXCLUDED.title, link = EXCLUDED.link, summary = EXCLUDED.summary,
                        published_at = EXCLUDED.published_at
                    """).run()
            }
            try await db.sql.raw("""
                DELETE FROM blog_items WHERE blog_id = \(bind: blogID) AND id NOT IN (
                    SELECT id FROM blog_items WHERE blog_id = \(bind: blogID)
                    ORDER BY COALESCE(published_at, fetched_at) DESC, id LIMIT \(literal: FeedDocument.itemLimit))
                """).run()
        }
    }
}

extension FeedRefresh {
    /// The blogs that are due, when `GUILD_FEEDS_REFRESH` is set: a pass every five minutes (or every
    /// interval, if shorter).
    static func job(every interval: Int) -> Job {
        Job("feeds-refresh", every: .seconds(min(interval, 300))) { app in
            let summary = try await refresh(app: app, every: interval)
            return summary == .init() ? nil : "\(summary.fetched) fetched, \(summary.unchanged) unchanged, \(summary.failed) failed"
        }
    }
}
