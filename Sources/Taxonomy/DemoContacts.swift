import Validation

/// Business cards a member might have gathered over a year of networking mornings: deterministic
/// for a seed, with the tags, places and notes a real address book has.
public enum DemoContacts {
    static let trades = [
        ("Plumbing", "Plumbing"), ("Bakery", "Bakery"), ("Studio", "Yoga studio"), ("Law", "Family law"), ("Dental", "Dental practice"),
        ("Roofing", "Roofing"), ("Print", "Print shop"), ("Coffee", "Coffee roaster"), ("Florist", "Florist"), ("Fitness", "Personal training"),
        ("Accounting", "Accounting"), ("Design", "Graphic design"), ("Realty", "Real estate"), ("Catering", "Catering"), ("Auto", "Auto repair"),
    ]
    static let places = [
        "Wednesday networking morning at the library", "Chamber of commerce mixer", "Coffee after the Tuesday breakfast",
        "Introduced by a client", "Trade show, booth 14", "LinkedIn, then a call", "The speaker-less Wednesday (we stayed late)",
    ]
    static let tags = ["clients", "prospects", "partners", "breakfast club", "press", "suppliers"]
    static let notes = [
        "Wants a quote **before March**; prefers email.", "Has two locations; the second opens in spring.",
        "Asked for an intro to a bookkeeper.", "Sends referrals my way; remember to thank.", "Met twice; ask about the new menu.",
        "", "", "Busy mornings; call after 2 pm.",
    ]

    public static func cards(count: Int, seed: UInt64) -> [ContactFields] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let first = DemoNetwork.firstNames[random.below(DemoNetwork.firstNames.count)]
            let last = DemoNetwork.lastNames[random.below(DemoNetwork.lastNames.count)]
            let (short, trade) = trades[random.below(trades.count)]
            let business = "\(last) \(short)"
            let domain = "\(last.lowercased())-\(short.lowercased())\(index).example"
            var fields = ContactFields(
                name: "\(first) \(last)", business: business,
                emails: [.init("\(first.lowercased())@\(domain)", types: ["work"])],
                phones: [.init("+1 512 555 \(padded(random.below(10_000)))", types: random.below(2) == 0 ? ["cell"] : ["work"])],
                website: random.below(3) == 0 ? "https://\(domain)" : "", met: places[random.below(places.count)],
                notes: notes[random.below(notes.count)], tags: [tags[random.below(tags.count)]])
            if random.below(4) == 0 { fields.tags.append(tags[random.below(tags.count)]) }
            if fields.tags.count == 2, fields.tags[0] == fields.tags[1] { fields.tags.removeLast() }
            fields.notes = fields.notes.isEmpty ? "\(trade)." : "\(trade). \(fields.notes)"
            return fields
        }
    }

    static func padded(_ number: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
