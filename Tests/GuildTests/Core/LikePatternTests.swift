import Fluent
import Testing
import Validation
import VaporTesting

@testable import Guild

@Suite("LIKE patterns of typed text")
struct LikePatternTests {
    @Test("%, _ and \\ are taken literally on both databases")
    func literal() async throws {
        #expect(LikePattern.containing("50%_a\\b") == "%50\\%\\_a\\\\b%")
        #expect(LikePattern.starting(with: "aus") == "aus%")
        try await withGuild { app, _ in
            let (hana, _) = try await Profile.make(name: "Hana Ito", niches: ["bookkeeping"], on: app)
            for name in ["50% Club", "500 Club", "Under_score Breakfast", "Underscore Breakfast"] {
                _ = try await Circles.create(CircleFields(name: name, city: "Austin"), by: hana.requireID(), on: app.db)
            }
            #expect(try await Circles.list(query: "50%", page: 1, on: app.db).rows.map(\.name) == ["50% Club"])
            #expect(try await Circles.list(query: "under_", page: 1, on: app.db).rows.map(\.name) == ["Under_score Breakfast"])
            #expect(try await Circles.list(query: "%", page: 1, on: app.db).rows.map(\.name) == ["50% Club"])
            #expect(try await Circles.list(query: "club", page: 1, on: app.db).total == 2)
        }
    }
}
