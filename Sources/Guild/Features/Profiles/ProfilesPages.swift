import Vapor

struct ProfileEditPage: Encodable, FormPage {
    struct NicheRow: Encodable {
        var number: Int
        var name: String
        var level: String
    }

    var layout: Layout
    var heading: String
    var action: String
    var business: String
    var headline: String
    var bio: String
    var website: String
    var blogURL: String
    var city: String
    var remote: Bool
    var partnersWanted: String
    var availability: String
    var awayUntil: String
    var nicheRows: [NicheRow]
    var levels = NicheLevel.allCases.map(\.rawValue)
    var availabilities = Availability.allCases.map(\.rawValue)
    var errors: [String: String] = [:]
    var formError: String?

    init(layout: Layout, heading: String, action: String, input: ProfileInput) {
        self.layout = layout
        self.heading = heading
        self.action = action
        business = input.business
        headline = input.headline
        bio = input.bio
        website = input.website
        blogURL = input.blogURL
        city = input.city
        remote = input.remote
        partnersWanted = input.partnersWanted.joined(separator: "; ")
        availability = input.availability.rawValue
        awayUntil = input.awayUntil.map(CalendarDay.string) ?? ""
        let rows = min(ProfileInput.maxNiches, max(3, input.niches.count + 2))
        nicheRows = (0..<rows).map { index in
            let choice = index < input.niches.count ? input.niches[index] : nil
            return NicheRow(number: index + 1, name: choice?.name ?? "", level: choice?.level.rawValue ?? "experienced")
        }
    }
}

extension ProfileInput {
    /// Reads the flat edit form: niche1…niche10 with level1…level10, checkboxes as "true".
    init(form: [String: String]) {
        self.init()
        business = form["business"] ?? ""
        headline = form["headline"] ?? ""
        bio = form["bio"] ?? ""
        website = (form["website"] ?? "").trimmingCharacters(in: .whitespaces)
        blogURL = (form["blog_url"] ?? "").trimmingCharacters(in: .whitespaces)
        city = form["city"] ?? ""
        remote = form["remote"] == "true" || form["remote"] == "on"
        niches = (1...ProfileInput.maxNiches).compactMap { number in
            guard let name = form["niche\(number)"], !name.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return NicheChoice(name: name.trimmingCharacters(in: .whitespaces), level: NicheLevel(rawValue: form["level\(number)"] ?? "") ?? .experienced)
        }
        partnersWanted = (form["partners_wanted"] ?? "").split(separator: ";")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        availability = Availability(rawValue: form["availability"] ?? "") ?? .available
        awayUntil = (form["away_until"]).flatMap { CalendarDay.parse($0) }
    }
}
