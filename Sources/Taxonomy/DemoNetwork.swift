/// A deterministic, realistic-looking network of members for demos and benchmarks.
public struct DemoNetwork: Sendable {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var email: String
        public var business: String
        public var headline: String
        public var bio: String
        public var website: String
        public var city: String
        public var remote: Bool
        /// Indexes into the taxonomy's niche list, with a level 0 expert, 1 experienced, 2 learning.
        public var niches: [(index: Int, level: Int)]
        public var availability: Int

        public static func == (a: Member, b: Member) -> Bool {
            a.email == b.email && a.bio == b.bio && a.niches.map(\.index) == b.niches.map(\.index)
        }
    }

    let niches: [Taxonomy.Entry]
    var random: SplitMix64

    public init(taxonomy: Taxonomy, seed: UInt64) {
        self.niches = taxonomy.allNiches
        self.random = SplitMix64(seed: seed)
    }

    public mutating func member(_ number: Int) -> Member {
        let first = Self.firstNames[random.below(Self.firstNames.count)]
        let last = Self.lastNames[random.below(Self.lastNames.count)]
        let count = min(1 + random.below(4), niches.count)
        var chosen: [(Int, Int)] = []
        // Members cluster: later niches are usually near the first one in the taxonomy.
        let anchor = random.below(niches.count)
        while chosen.count < count {
            let index = random.below(3) == 0 ? random.below(niches.count) : (anchor + random.below(8)) % niches.count
            if !chosen.contains(where: { $0.0 == index }) { chosen.append((index, chosen.isEmpty ? random.below(2) : random.below(3))) }
        }
        let main = niches[chosen[0].0]
        let city = Self.cities[random.below(Self.cities.count)]
        let business = Self.businessPatterns[random.below(Self.businessPatterns.count)]
            .replacingAll("{last}", with: last).replacingAll("{first}", with: first)
            .replacingAll("{niche}", with: main.name.capitalizedWords)
            .replacingAll("{city}", with: city.split(separator: ",").first.map(String.init) ?? city)
        let words = main.clientWords.isEmpty ? [main.name] : main.clientWords
        let bio = [
            Self.openers[random.below(Self.openers.count)].replacingAll("{niche}", with: main.name),
            "Clients usually come to me for \(words[random.below(words.count)]) and \(words[random.below(words.count)]).",
            chosen.count > 1 ? "I also work on \(chosen.dropFirst().map { niches[$0.0].name }.joined(separator: " and "))." : "",
            Self.closers[random.below(Self.closers.count)],
        ].filter { !$0.isEmpty }.joined(separator: " ")
        let slug = Slug.make("\(first) \(last)")
        return Member(
            name: "\(first) \(last)", email: "\(slug).\(number)@demo.guild.test", business: business,
            headline: "\(main.name.capitalizedFirst) for \(Self.audiences[random.below(Self.audiences.count)])",
            bio: bio, website: "https://\(Slug.make(business)).example", city: city, remote: random.below(3) != 0,
            niches: chosen.map { (index: $0.0, level: $0.1) }, availability: random.below(10) == 0 ? 1 : 0)
    }

    static let firstNames = ["Ada", "Marisol", "Dev", "Rae", "Omar", "Lena", "Kofi", "Priya", "Tom", "Ines", "Yuki", "Sam",
        "Noor", "Jonas", "Amara", "Luis", "Hana", "Felix", "Zoe", "Malik", "Greta", "Ravi", "Chloe", "Ben", "Aisha", "Mateo",
        "Freya", "Kenji", "Nia", "Oscar", "Leila", "Hugo", "Sofia", "Emeka", "Ivy", "Diego", "Maya", "Arjun", "Elsa", "Tariq"]
    static let lastNames = ["Ortega", "Kapoor", "Lindqvist", "Haddad", "Novak", "Mensah", "Iyer", "Becker", "Silva", "Tanaka",
        "Rahman", "Okafor", "Schmidt", "Garcia", "Kowalski", "Nguyen", "Dubois", "Rossi", "Andersen", "Moreau", "Patel",
        "Fischer", "Costa", "Yilmaz", "Murphy", "Sato", "Bianchi", "Jensen", "Alvarez", "Brennan", "Khan", "Weber", "Lopez"]
    static let cities = ["Austin, TX", "Columbus, OH", "Portland, OR", "Denver, CO", "Raleigh, NC", "Madison, WI",
        "Boise, ID", "Tucson, AZ", "Richmond, VA", "Providence, RI", "Burlington, VT", "Asheville, NC", "Omaha, NE",
        "Spokane, WA", "Savannah, GA", "Albuquerque, NM", "Pittsburgh, PA", "Minneapolis, MN", "Sacramento, CA",
        "Chattanooga, TN", "Leeds, UK", "Bristol, UK", "Dublin, IE", "Lyon, FR", "Porto, PT", "Ghent, BE", "Utrecht, NL",
        "Toronto, ON", "Halifax, NS", "Wellington, NZ"]
    static let businessPatterns = ["{last} Studio", "{first} {last} {niche}", "{city} {niche} Co.", "{last} & Partners",
        "Bright {niche}", "{last} Works", "North Star {niche}", "{first}'s {niche}", "{last} Collective", "Good Day {niche}"]
    static let audiences = ["small businesses", "independent shops", "local nonprofits", "solo founders", "family firms",
        "growing teams", "restaurants and cafés", "creative studios", "trades and contractors", "professional practices"]
    static let openers = ["I have spent a decade on {niche} for people who run their own show.",
        "{niche} is all I do, and I like it that way.", "I started in {niche} after years on the client side.",
        "My practice is small on purpose: {niche}, done carefully.", "I help owners get {niche} off their plate."]
    static let closers = ["Happy to refer you to a peer if I am not the right fit.", "I answer every email within a day.",
        "Ask me about my horror stories; I have learned from all of them.", "Coffee is on me if you are in town.",
        "I share tips with others in my niche every month."]
}

/// A tiny, fast, seedable generator (Vigna's SplitMix64), so demo data is the same on every machine.
public struct SplitMix64: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
    var capitalizedWords: String { split(separator: " ").map { String($0).capitalizedFirst }.joined(separator: " ") }
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
