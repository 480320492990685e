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
    /// The indexes into `niches` of each category's niches, in taxonomy order.
    let categories: [[Int]]
    var random: SplitMix64

    public init(taxonomy: Taxonomy, seed: UInt64) {
        self.niches = taxonomy.allNiches
        var start = 0
        self.categories = taxonomy.categories.map { category in
            defer { start += category.niches.count }
            return Array(start..<start + category.niches.count)
        }.filter { !$0.isEmpty }
        self.random = SplitMix64(seed: seed)
    }

    public mutating func member(_ number: Int) -> Member {
        let first = Self.firstNames[random.below(Self.firstNames.count)]
        let last = Self.lastNames[random.below(Self.lastNames.count)]
        // Real practices are narrow: one category, sometimes a neighbouring one ("local SEO" with
        // "restaurant marketing"), never "tailoring + operations consulting + screen printing".
        let home = random.below(categories.count)
        let neighbour = categories[(home + (random.below(2) == 0 ? 1 : categories.count - 1)) % categories.count]
        let count = min(1 + random.below(3), categories[home].count)
        var chosen: [(Int, Int)] = []
        while chosen.count < count {
            let pool = chosen.count > 0 && random.below(4) == 0 ? neighbour : categories[home]
            let index = pool[random.below(pool.count)]
            if !chosen.contains(where: { $0.0 == index }) { chosen.append((index, chosen.isEmpty ? random.below(2) : random.below(3))) }
        }
        let main = niches[chosen[0].0]
        let city = Self.cities[random.below(Self.cities.count)]
        let business = Self.businessPatterns[random.below(Self.businessPatterns.count)]
            .replacingAll("{last}", with: last).replacingAll("{first}", with: first)
            .replacingAll("{niche}", with: main.name.capitalizedWords)
            .replacingAll("{city}", with: city.split(separator: ",").first.map(String.init) ?? city)
        let words = main.clientWords.isEmpty ? [main.name.lowercased()] : main.clientWords
        let need = words[random.below(words.count)]
        let rest = words.filter { $0 != need }
        let other = rest.isEmpty ? nil : rest[random.below(rest.count)]
        let others = chosen.dropFirst().map { niches[$0.0].name.lowercasedFirst }
        let bio = [
            Self.openers[random.below(Self.openers.count)].replacingAll("{niche}", with: main.name.lowercasedFirst),
            other.map { Self.requests[random.below(Self.requests.count)].replacingAll("{a}", with: need).replacingAll("{b}", with: $0) }
                ?? "Most people call me about \(need).",
            others.isEmpty ? "" : Self.sidelines[random.below(Self.sidelines.count)]
                .replacingAll("{others}", with: others.joined(separator: others.count > 1 ? " and " : "")),
            Self.closers[random.below(Self.closers.count)],
        ].filter { !$0.isEmpty }.joined(separator: " ")
        let slug = Slug.make("\(first) \(last)")
        return Member(
            name: "\(first) \(last)", email: "\(slug).\(number)@demo.guild.test", business: business,
            headline: "\(main.name) for \(Self.audiences[random.below(Self.audiences.count)])",
            bio: bio, website: "https://\(Slug.make(business)).example", city: city, remote: random.below(3) != 0,
            niches: chosen.map { (index: $0.0, level: $0.1) }, availability: random.below(10) == 0 ? 1 : 0)
    }

    public static let firstNames = ["Ada", "Marisol", "Dev", "Rae", "Omar", "Lena", "Kofi", "Priya", "Tom", "Ines", "Yuki", "Sam",
        "Noor", "Jonas", "Amara", "Luis", "Hana", "Felix", "Zoe", "Malik", "Greta", "Ravi", "Chloe", "Ben", "Aisha", "Mateo",
        "Freya", "Kenji", "Nia", "Oscar", "Leila", "Hugo", "Sofia", "Emeka", "Ivy", "Diego", "Maya", "Arjun", "Elsa", "Tariq"]
    public static let lastNames = ["Ortega", "Kapoor", "Lindqvist", "Haddad", "Novak", "Mensah", "Iyer", "Becker", "Silva", "Tanaka",
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
        "Ten years in, {niche} is still all I do, and I like it that way.", "I started in {niche} after years on the client side.",
        "My practice is small on purpose: {niche}, done carefully.", "I help owners get {niche} off their plate.",
        "I came to {niche} by accident and stayed because of the people."]
    static let requests = ["Clients usually come to me about {a}, or about {b}.",
        "The calls I get start with “{a}” more often than not; “{b}” is a close second.",
        "Most weeks it is {a}; some weeks it is {b}.", "If you are dealing with {a} or {b}, we should talk."]
    static let sidelines = ["I also take on {others}.", "On the side I do {others} for existing clients.",
        "Some clients stay with me for {others} too."]
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
    /// "Local SEO" → "local SEO" inside a sentence; "SEO" and "UX design" keep their capitals.
    var lowercasedFirst: String {
        let first = split(separator: " ").first.map(String.init) ?? self
        return first.count > 1 && first == first.uppercased() ? self : prefix(1).lowercased() + dropFirst()
    }
}
