/// A profile's text fields as a person sent them, before validation.
public struct ProfileFields: Sendable, Equatable {
    public var business: String
    public var headline: String
    public var bio: String
    public var website: String
    public var blogURL: String
    public var city: String
    public var niches: [String]
    public var partnersWanted: [String]

    public init(
        business: String = "", headline: String = "", bio: String = "", website: String = "", blogURL: String = "",
        city: String = "", niches: [String] = [], partnersWanted: [String] = []
    ) {
        self.business = business
        self.headline = headline
        self.bio = bio
        self.website = website
        self.blogURL = blogURL
        self.city = city
        self.niches = niches
        self.partnersWanted = partnersWanted
    }
}

/// The one set of profile rules: the web form, the JSON API and roster imports all call
/// `validate`, so a row that passes a roster check always imports. Lengths count Unicode code
/// points of what was sent, as JSON Schema's maxLength does, so the API document agrees too.
public enum ProfileRules {
    public static let maxNiches = 10
    public static let limits: [(field: String, label: String, max: Int)] = [
        ("business", "Business", 120), ("headline", "Headline", 160), ("bio", "Bio", 5000), ("city", "City", 100),
    ]

    /// The fields trimmed, web addresses made absolute, or the first field at fault.
    public static func validate(_ fields: ProfileFields) -> Result<ProfileFields, FieldProblem> {
        var valid = fields
        let values = [fields.business, fields.headline, fields.bio, fields.city]
        for ((field, label, max), value) in zip(limits, values) where value.unicodeScalars.count > max {
            return .failure(.init(field: field, message: "\(label) must be at most \(max) characters."))
        }
        valid.business = fields.business.trimmingWhitespace()
        valid.headline = fields.headline.trimmingWhitespace()
        valid.bio = fields.bio.trimmingWhitespace()
        valid.city = fields.city.trimmingWhitespace()
        for (field, value) in [("website", fields.website), ("blog_url", fields.blogURL)] {
            let trimmed = value.trimmingWhitespace()
            guard !trimmed.isEmpty else { continue }
            guard let url = website(trimmed) else {
                return .failure(.init(field: field, message: "Enter a web address like https://example.com."))
            }
            if field == "website" { valid.website = url } else { valid.blogURL = url }
        }
        if fields.website.trimmingWhitespace().isEmpty { valid.website = "" }
        if fields.blogURL.trimmingWhitespace().isEmpty { valid.blogURL = "" }
        guard !fields.niches.isEmpty else {
            return .failure(.init(field: "niches", message: "List at least one niche you are great at."))
        }
        guard fields.niches.count <= maxNiches else {
            return .failure(.init(field: "niches", message: "List at most \(maxNiches) niches."))
        }
        guard fields.niches.allSatisfy(isNicheName) else {
            return .failure(.init(field: "niches", message: "Each niche needs a letter or digit and at most 80 characters."))
        }
        valid.niches = fields.niches.map { $0.trimmingWhitespace() }
        guard fields.partnersWanted.count <= maxNiches, fields.partnersWanted.allSatisfy(isNicheName) else {
            return .failure(.init(
                field: "partners_wanted", message: "List at most 10 niches, each with a letter or digit and at most 80 characters."))
        }
        valid.partnersWanted = fields.partnersWanted.map { $0.trimmingWhitespace() }
        return .success(valid)
    }

    /// The same rule as `WebAddress` in openapi.yaml: a host with a dot, optional port and path.
    nonisolated(unsafe) static let webAddress = /^(https?:\/\/)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]{1,5})?(\/[^\s"<>]*)?$/

    /// The address as an absolute http(s) URL ("example.com" gets https://), or nil when it is not one.
    public static func website(_ raw: String) -> String? {
        guard !raw.isEmpty, raw.unicodeScalars.count <= 300, raw.wholeMatch(of: webAddress) != nil else { return nil }
        return raw.lowercased().hasPrefix("http://") || raw.lowercased().hasPrefix("https://") ? raw : "https://" + raw
    }

    /// The same rule as `NicheName` in openapi.yaml: something besides spaces and ASCII punctuation.
    public static func isNicheName(_ raw: String) -> Bool {
        guard !raw.isEmpty, raw.unicodeScalars.count <= 80 else { return false }
        return raw.unicodeScalars.contains { scalar in
            !scalar.properties.isWhitespace
                && !(scalar.value <= 0x7F && !(("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)))
        }
    }
}
