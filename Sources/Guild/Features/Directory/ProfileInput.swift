import Directory
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

    static let maxNiches = 10

    /// Throws a 422 naming the first field at fault. Lengths count what was sent, before trimming,
    /// so the API document's maxLength and this check agree.
    func validated() throws -> ProfileInput {
        var copy = self
        func check(_ value: String, _ field: String, max: Int) throws -> String {
            guard value.unicodeScalars.count <= max else {
                throw CommonError.invalidField(.init(field: field, message: "\(field.capitalized) must be at most \(max) characters."))
            }
            return value.trimmingWhitespace()
        }
        copy.business = try check(business, "business", max: 120)
        copy.headline = try check(headline, "headline", max: 160)
        copy.bio = try check(bio, "bio", max: 5000)
        copy.city = try check(city, "city", max: 100)
        for (field, value) in [("website", website), ("blog_url", blogURL)] where !value.isEmpty {
            guard let url = ProfileRules.website(value) else {
                throw CommonError.invalidField(.init(field: field, message: "Enter a web address like https://example.com."))
            }
            if field == "website" { copy.website = url } else { copy.blogURL = url }
        }
        guard !niches.isEmpty else {
            throw CommonError.invalidField(.init(field: "niches", message: "List at least one niche you are great at."))
        }
        guard niches.count <= Self.maxNiches else {
            throw CommonError.invalidField(.init(field: "niches", message: "List at most \(Self.maxNiches) niches."))
        }
        guard niches.allSatisfy({ ProfileRules.isNicheName($0.name) }) else {
            throw CommonError.invalidField(.init(field: "niches", message: "Each niche needs a letter or digit and at most 80 characters."))
        }
        copy.niches = niches.map { .init(name: $0.name.trimmingWhitespace(), level: $0.level) }
        guard partnersWanted.count <= Self.maxNiches, partnersWanted.allSatisfy(ProfileRules.isNicheName) else {
            throw CommonError.invalidField(.init(field: "partners_wanted", message: "List at most 10 niches, each with a letter or digit and at most 80 characters."))
        }
        copy.partnersWanted = partnersWanted.map { $0.trimmingWhitespace() }
        if availability != .away { copy.awayUntil = nil }
        return copy
    }
}
