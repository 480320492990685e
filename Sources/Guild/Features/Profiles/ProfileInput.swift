import Taxonomy
import Validation
import Vapor

/// A profile as submitted by a form, the API or an import, validated field by field.
struct ProfileInput: Sendable {
    struct NicheChoice: Sendable, Equatable {
        var name: String
        var level: NicheLevel
    }

    var business = ""
    var headline = ""
    var bio = ""
    var website = ""
    var blogURL = ""
    var city = ""
    var remote = false
    var niches: [NicheChoice] = []
    var partnersWanted: [String] = []
    var availability = Availability.available
    var awayUntil: Date?

    static let maxNiches = ProfileRules.maxNiches

    /// Throws a 422 naming the first field at fault, by `ProfileRules`: the rules roster imports
    /// check rows against too.
    func validated() throws -> ProfileInput {
        let fields = try ProfileRules.validate(ProfileFields(
            business: business, headline: headline, bio: bio, website: website, blogURL: blogURL, city: city,
            niches: niches.map(\.name), partnersWanted: partnersWanted)).orThrow()
        var copy = self
        copy.business = fields.business
        copy.headline = fields.headline
        copy.bio = fields.bio
        copy.website = fields.website
        copy.blogURL = fields.blogURL
        copy.city = fields.city
        copy.niches = zip(fields.niches, niches).map { .init(name: $0, level: $1.level) }
        copy.partnersWanted = fields.partnersWanted
        if availability != .away { copy.awayUntil = nil }
        return copy
    }
}
