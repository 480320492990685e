import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("SQLite reader for hot reads")
struct SQLiteReaderTests {
    private func json(_ detail: ProfileDetail?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(detail), as: UTF8.self)
    }

    @Test("PostgreSQL has no SQLite reader", .enabled(if: TestDatabase.isPostgres))
    func noReaderOnPostgres() async throws {
        try await withGuild { app, _ in
            #expect(app.sqliteReader == nil)
        }
    }

    @Test("reads what Fluent reads, sees every commit at once, and cannot write", .enabled(if: TestDatabase.isSQLite))
    func matchesFluent() async throws {
        try await withGuild { app, _ in
            let reader = try #require(app.sqliteReader)
            let (user, profile) = try await Profile.make(
                name: "Rita Reader", niches: ["bookkeeping", "payroll"], bio: "Books *balanced*.", on: app)
            var input = try await Profiles.input(from: profile, on: app.db)
            input.availability = .away
            input.awayUntil = Date(timeIntervalSince1970: 1_900_000_000)
            _ = try await Profiles.save(input, for: user, on: app.db)

            let viaFluent = try #require(try await ProfileDetail.query(slug: profile.slug, on: app.db))
            let viaReader = try #require(try await ProfileDetail.query(slug: profile.slug, on: app.db, reader: reader))
            #expect(try json(viaReader) == json(viaFluent))
            #expect(viaReader.awayUntil == input.awayUntil)
            #expect(viaReader.niches.map(\.name) == ["Bookkeeping", "Payroll services"])
            #expect(try await ProfileDetail.query(slug: "nobody-here", on: app.db, reader: reader) == nil)

            // A statement kept prepared must not keep an old snapshot: the next read sees the commit.
            input.headline = "Now with payroll"
            _ = try await Profiles.save(input, for: user, on: app.db)
            #expect(try await ProfileDetail.query(slug: profile.slug, on: app.db, reader: reader)?.headline == "Now with payroll")
            let before = try await CacheGeneration(reader: reader).current(on: app.db)
            _ = try await Profile.make(name: "Sam Second", niches: ["payroll"], on: app)
            let after = try await CacheGeneration.read(on: app.db)
            #expect(after > before)
            #expect(try await CacheGeneration(reader: reader).current(on: app.db) == after)

            struct Slug: Decodable { var slug: String }
            #expect(throws: SQLiteReader.ReadError.self) {
                try reader.first("DELETE FROM profiles WHERE slug = ? RETURNING slug", [.text(profile.slug)], decoding: Slug.self)
            }
            #expect(try await ProfileDetail.query(slug: profile.slug, on: app.db) != nil)
        }
    }

    @Test("many readers at once each get a connection, and at most eight are kept", .enabled(if: TestDatabase.isSQLite))
    func concurrentReads() async throws {
        try await withGuild { app, _ in
            let reader = try #require(app.sqliteReader)
            let (_, profile) = try await Profile.make(name: "Con Current", niches: ["plumbing"], on: app)
            let names = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<64 {
                    group.addTask { try await ProfileDetail.query(slug: profile.slug, on: app.db, reader: reader)?.name }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(names == Array(repeating: "Con Current", count: 64))
            #expect(reader.idleConnections <= 8)
            #expect(reader.idleConnections >= 1)
        }
    }
}
