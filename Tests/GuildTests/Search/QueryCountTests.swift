import Testing
import VaporTesting

@testable import Guild

/// List pages run a fixed number of statements however many members they show: no N+1.
@Suite("Statements per list page")
struct QueryCountTests {
    static let pages = [
        "/directory", "/directory?q=bookkeeping", "/directory?q=bookkeeping&city=austin&remote=on",
        "/n/bookkeeping", "/niches", "/api/v1/members?q=bookkeeping", "/api/v1/members?niche=bookkeeping",
        "/api/v1/niches/bookkeeping", "/api/v1/niches",
    ]

    @Test("a page of 3 members and a page of 15 run the same number of statements", arguments: pages)
    func fixedCount(path: String) async throws {
        // Caches off: every request reads the database.
        try await withGuild(configure: { $0.searchCacheSize = 0; $0.profileCacheSize = 0 }) { app, _ in
            // setup
            for index in 0..<3 {
                try await Profile.make(name: "Few \(index)", niches: ["bookkeeping", "payroll"], remote: true, on: app)
            }
            let recorder = QueryRecorder(attachingTo: app)
            // act
            let few = try await recorder.statements { _ = try await app.testing().sendRequest(.GET, path) }
            for index in 0..<12 {
                try await Profile.make(name: "Many \(index)", niches: ["bookkeeping", "payroll", "tax preparation"], remote: true, on: app)
            }
            let many = try await recorder.statements {
                let response = try await app.testing().sendRequest(.GET, path)
                #expect(response.status == .ok)
            }
            // assert
            #expect(few.count > 0)
            #expect(many.count == few.count, "\(path): \(few.count) statements for 3 members, \(many.count) for 15")
        }
    }
}
