import Foundation

/// Generated referrals between generated members: about as many per member as asked, with the
/// statuses, reasons, values and ages a year-old network would show. Deterministic per seed.
/// Most go to a member's regular partners (a few neighbours), so partner totals mean something.
public struct DemoReferrals: Sendable {
    public struct Referral: Sendable, Equatable {
        public var giver: Int
        public var receiver: Int
        public var clientName: String
        public var clientEmail: String
        public var need: String
        public var urgency: String
        /// From `new` to where it stands now, e.g. ["new", "accepted", "contacted", "won"].
        public var steps: [String]
        public var reason: String?
        /// Minor units and currency, for a won referral.
        public var value: (minorUnits: Int64, currency: String)?
        /// How long ago it was made, in hours (within the last year), and hours between its steps.
        public var ageHours: Int
        public var stepHours: Int

        public static func == (a: Referral, b: Referral) -> Bool {
            a.giver == b.giver && a.receiver == b.receiver && a.clientEmail == b.clientEmail && a.steps == b.steps
                && a.value?.minorUnits == b.value?.minorUnits && a.ageHours == b.ageHours
        }
    }

    var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed &* 7_919 &+ 17) }

    static let paths: [(weight: Int, steps: [String])] = [
        (8, ["new"]), (8, ["new", "accepted"]), (10, ["new", "accepted", "contacted"]), (8, ["new", "accepted", "contacted", "meeting"]),
        (32, ["new", "accepted", "contacted", "meeting", "won"]), (6, ["new", "accepted", "contacted", "won"]),
        (14, ["new", "accepted", "contacted", "lost"]), (14, ["new", "declined"]),
    ]
    static let declines = ["Fully booked until spring; try a peer.", "Outside what I do, sorry.", "Too far from me to do it well.",
                           "Their budget is below my minimum."]
    static let losses = ["They went with a cheaper quote.", "The project was put on hold.", "They hired in-house.",
                         "No answer after three tries."]
    static let needs = ["Needs help with {niche} before the busy season.", "Asked me who I trust for {niche}.",
                        "Their last provider for {niche} retired; they want someone local.",
                        "Wants a second opinion on {niche} for a new location.", "A friend of a client, looking for {niche} this month."]
    static let currencies: [(weight: Int, code: String)] = [(80, "USD"), (8, "EUR"), (6, "GBP"), (6, "CAD")]

    mutating func weighted<T>(_ choices: [(weight: Int, value: T)]) -> T {
        var pick = random.below(choices.reduce(0) { $0 + $1.weight })
        for choice in choices {
            if pick < choice.weight { return choice.value }
            pick -= choice.weight
        }
        return choices[choices.count - 1].value
    }

    /// The `index`-th referral among `members` members; `niche(i)` names member i's first niche.
    public mutating func referral(among members: Int, niche: (Int) -> String) -> Referral {
        let giver = random.below(members)
        var receiver: Int
        repeat {
            // Seven in ten go to one of a member's twelve regular partners, the rest anywhere.
            receiver = random.below(10) < 7 ? (giver + 1 + random.below(min(12, max(1, members - 1)))) % members : random.below(members)
        } while receiver == giver && members > 1
        let first = DemoNetwork.firstNames[random.below(DemoNetwork.firstNames.count)]
        let last = DemoNetwork.lastNames[random.below(DemoNetwork.lastNames.count)]
        let steps = weighted(Self.paths.map { ($0.weight, $0.steps) })
        var reason: String?
        if steps.last == "declined" { reason = Self.declines[random.below(Self.declines.count)] }
        if steps.last == "lost" { reason = Self.losses[random.below(Self.losses.count)] }
        var value: (Int64, String)?
        if steps.last == "won" {
            // Mostly hundreds to a few thousand, now and then a big job: a rough log-uniform spread.
            let exponent = 2.0 + Double(random.below(1000)) / 1000 * 2.3
            let amount = Int64(pow(10, exponent)) * 100
            value = (amount, weighted(Self.currencies.map { ($0.weight, $0.code) }))
        }
        let need = Self.needs[random.below(Self.needs.count)].replacingAll("{niche}", with: niche(receiver).lowercased())
        let urgencies = ["this_week", "this_month", "this_month", "whenever"]
        return Referral(
            giver: giver, receiver: receiver, clientName: "\(first) \(last)",
            clientEmail: "\(first.lowercased()).\(last.lowercased())\(random.below(1000))@example.com",
            need: need, urgency: urgencies[random.below(urgencies.count)], steps: steps, reason: reason,
            value: value, ageHours: 1 + random.below(365 * 24), stepHours: 2 + random.below(96))
    }
}
