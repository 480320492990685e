import Fluent
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Concurrent writers")
struct ConcurrencyTests {
    @Test("50 concurrent read-then-write transactions all succeed")
    func fiftyConcurrentWrites() async throws {
        try await withGuild { app, _ in
            // act: each task reads the count, then inserts a row based on what it read
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        do {
                            try await app.db.writeTransaction { db in
                                let seen = try await User.query(on: db).count()
                                try await User(name: "Writer \(index) saw \(seen)", email: "writer\(index)@example.com",
                                               passwordHash: nil).create(on: db)
                            }
                            return 0
                        } catch {
                            Issue.record("write \(index) failed: \(String(reflecting: error))")
                            return 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            // assert
            #expect(failures == 0)
            #expect(try await app.count("users") == 50)
            // On SQLite the write lock is taken up front, so each transaction saw all the ones before it.
            // PostgreSQL runs them side by side at READ COMMITTED; there only the absence of errors counts.
            guard app.db.isSQLite else { return }
            let seen = try await User.query(on: app.db).all().compactMap { Int($0.name.split(separator: " ").last!) }
            #expect(Set(seen) == Set(0..<50))
        }
    }

    @Test("50 concurrent sign-ups through the API all land")
    func fiftyConcurrentSignUps() async throws {
        try await withGuild { app, _ in
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await app.testing().sendRequest(
                            .POST, "/api/v1/accounts", headers: ["Content-Type": "application/json"],
                            body: ByteBuffer(string: #"{"name":"Person \#(index)","email":"p\#(index)@example.com","password":"0123456789"}"#)
                        ).status.code
                    }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 })
            #expect(try await app.count("users") == 50)
        }
    }
}
