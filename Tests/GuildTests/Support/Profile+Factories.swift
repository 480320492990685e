import Fluent
import VaporTesting

@testable import Guild

extension Profile {
    /// A member with a profile in the given niches (names as a person would type them).
    @discardableResult
    static func make(
        name: String, niches: [String], bio: String = "", headline: String = "", city: String = "Austin, TX",
        level: NicheLevel = .expert, role: Role = .member, remote: Bool = false,
        availability: Availability = .available, on app: Application
    ) async throws -> (User, Profile) {
        let user = try await User.make(name: name, role: role, on: app)
        var input = ProfileInput()
        input.bio = bio
        input.headline = headline
        input.city = city
        input.niches = niches.map { .init(name: $0, level: level) }
        input.remote = remote
        input.availability = availability
        let profile = try await Profiles.save(input, for: user, on: app.db)
        return (user, profile)
    }
}

func search(_ q: String, niche: String? = nil, city: String? = nil, on app: Application) async throws -> [String] {
    try await DirectorySearch.search(DirectoryQuery(q: q, niche: niche, city: city), on: app.db).items.map(\.name)
}
