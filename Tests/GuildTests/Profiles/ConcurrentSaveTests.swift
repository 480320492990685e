import Fluent
import Testing
import VaporTesting

@testable import Guild

@Suite("Concurrent profile saves")
struct ConcurrentSaveTests {
    @Test("20 members saving the same new niche at once all succeed and share one niche")
    func sameNewNiche() async throws {
        try await withGuild { app, _ in
            // setup
            var users: [User] = []
            for index in 0..<20 { users.append(try await User.make(name: "Weaver \(index)", on: app)) }
            let nichesBefore = try await app.count("niches")
            // act
            try await withThrowingTaskGroup(of: Void.self) { group in
                for user in users {
                    group.addTask {
                        var input = ProfileInput()
                        input.niches = [.init(name: "Underwater Basket Weaving", level: .expert), .init(name: "Kelp Dyeing", level: .learning)]
                        input.partnersWanted = ["Coral Gardening"]
                        try await Profiles.save(input, for: user, on: app.db)
                    }
                }
                try await group.waitForAll()
            }
            // assert
            #expect(try await app.count("niches") == nichesBefore + 3)
            #expect(try await app.count("profiles") == 20)
            let basket = try #require(try await NicheDetail.query(slug: "underwater-basket-weaving", page: 1, on: app.db))
            #expect(basket.total == 20)
        }
    }

    @Test("two members of the same name joining at once get different addresses")
    func sameName() async throws {
        try await withGuild { app, _ in
            let first = try await User.make(name: "Sam Lee", on: app)
            let second = try await User.make(name: "Sam Lee", on: app)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for user in [first, second, first] {
                    group.addTask {
                        var input = ProfileInput()
                        input.niches = [.init(name: "bookkeeping", level: .expert)]
                        try await Profiles.save(input, for: user, on: app.db)
                    }
                }
                try await group.waitForAll()
            }
            let slugs = try await Profile.query(on: app.db).all().map(\.slug).sorted()
            #expect(slugs == ["sam-lee", "sam-lee-2"])
        }
    }
}
