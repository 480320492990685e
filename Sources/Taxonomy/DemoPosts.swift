import Foundation

/// Generated knowledge posts by generated members, with comments, replies and helpful marks, as a
/// year-old network would have them: mostly tips and questions, a few case studies, horror stories
/// and mistakes (some without a name), most public. Deterministic per seed. Sentences are composed
/// from parts, so the full-text index sees a realistic spread of words, not one repeated text.
public struct DemoPosts: Sendable {
    public struct Comment: Sendable, Equatable {
        public var author: Int
        public var body: String
        /// The index of the comment it answers, among the post's comments (one level).
        public var replyTo: Int?
        public var ageHours: Int
    }

    public struct Post: Sendable, Equatable {
        public var author: Int
        public var kind: String
        public var title: String
        public var body: String
        public var anonymous: Bool
        public var membersOnly: Bool
        /// Hours ago it was posted (within the last year).
        public var ageHours: Int
        public var comments: [Comment]
        /// Members who marked it helpful, and how many hours after posting.
        public var helpful: [(member: Int, afterHours: Int)]

        public static func == (a: Post, b: Post) -> Bool {
            a.author == b.author && a.title == b.title && a.body == b.body && a.comments == b.comments && a.helpful.map(\.member) == b.helpful.map(\.member)
        }
    }

    var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed &* 104_729 &+ 31) }

    static let kinds: [(weight: Int, kind: String)] = [(34, "tip"), (18, "question"), (10, "horror_story"), (10, "mistake"), (12, "triumph"),
                                                       (10, "tool"), (6, "case_study")]
    static let titles: [String: [String]] = [
        "tip": ["One habit that saves me hours in {niche}", "Stop doing this in {niche}", "The checklist I use for every {niche} job",
                "How I price {niche} work now", "Ask this before you quote for {niche}", "Small {niche} clients, big lessons"],
        "question": ["How do you handle late payers in {niche}?", "Which tool do you use for {niche}?", "Anyone else seeing fewer {niche} leads?",
                     "What do you charge for a rush {niche} job?", "How do you say no to a {niche} client?"],
        "horror_story": ["The {niche} client who vanished after the deposit", "A {niche} job that went wrong in every way",
                         "When the {niche} contract said nothing about revisions"],
        "mistake": ["I underquoted a {niche} project by half", "I skipped the kickoff call on a {niche} job", "I said yes to every {niche} request"],
        "triumph": ["Booked solid for {niche} this quarter", "A referral turned into my biggest {niche} client", "My first {niche} retainer"],
        "tool": ["A free tool that changed my {niche} work", "The template I use for {niche} proposals", "My {niche} stack, three apps"],
        "case_study": ["From referral to signed {niche} contract in a week", "How a {niche} project paid for itself"],
    ]
    static let openers = ["Last month I learned this the hard way.", "A client asked me about this on Tuesday.", "This took me years to see.",
                          "I keep telling newer members this.", "Here is what happened.", "Short version first."]
    static let middles = ["Write the scope down before any work starts, and send it the same day.",
                          "Invoice on the day you finish, not at the end of the month.",
                          "Ask what the client tried before and why it did not work.", "Take a deposit, even from friends.",
                          "Keep a list of peers you trust, so you can refer what you should not take.",
                          "Track where every lead came from; the numbers will surprise you.",
                          "Say the price out loud in the first call.", "Put the number of revisions in the quote.",
                          "A weekly one-line update keeps clients calm and paying.", "Block an hour every morning for the work that grows the business.",
                          "Answer reviews within a day; people read the answers.", "Write down what you would do differently, while it still hurts."]
    static let closers = ["What would you add?", "Happy to share the template.", "It worked for me; it may work for you.",
                          "Questions welcome below.", "I wish someone had told me sooner."]
    static let replies = ["Same here, and it changed how I quote.", "Thank you, I will try this on my next job.",
                          "I do the opposite and it works too: it depends on the client.", "Could you share the template?",
                          "This happened to me last year. A deposit would have saved me.", "Great point about tracking leads.",
                          "We use a shared calendar for this; no more double bookings.", "I refer these jobs to a peer now."]

    mutating func weighted(_ choices: [(weight: Int, kind: String)]) -> String {
        var pick = random.below(choices.reduce(0) { $0 + $1.weight })
        for choice in choices {
            if pick < choice.weight { return choice.kind }
            pick -= choice.weight
        }
        return choices[choices.count - 1].kind
    }

    /// The next post by `author` among `members` members; `niche` names a member's first niche.
    public mutating func post(by author: Int, among members: Int, niche: String) -> Post {
        let kind = weighted(Self.kinds)
        let templates = Self.titles[kind] ?? ["A note on {niche}"]
        // "Bookkeeping" → "bookkeeping" inside a sentence; "SEO", "WordPress" and "WooCommerce" keep their capitals.
        let first = niche.split(separator: " ").first.map(String.init) ?? niche
        let topic = first.dropFirst().contains(where: \.isUppercase) ? niche : niche.lowercasedFirst
        let title = templates[random.below(templates.count)].replacingAll("{niche}", with: topic).capitalizedFirst
        var sentences = [Self.openers[random.below(Self.openers.count)]]
        for _ in 0..<(2 + random.below(3)) { sentences.append(Self.middles[random.below(Self.middles.count)]) }
        sentences.append("In \(topic) it matters more than people think.")
        sentences.append(Self.closers[random.below(Self.closers.count)])
        let anonymous = (kind == "horror_story" || kind == "mistake") && random.below(10) < 3
        let age = 1 + random.below(365 * 24)
        // Comments: most posts get a few, questions more; about a third are replies.
        var comments: [Comment] = []
        let count = random.below(kind == "question" ? 7 : 4)
        for index in 0..<count {
            var commenter = random.below(members)
            if commenter == author && members > 1 { commenter = (commenter + 1) % members }
            let replyTo = index > 0 && random.below(3) == 0 ? random.below(index) : nil
            comments.append(Comment(author: commenter, body: Self.replies[random.below(Self.replies.count)],
                                    replyTo: replyTo.flatMap { comments[$0].replyTo ?? $0 }, ageHours: max(0, age - 1 - random.below(max(1, min(age, 240))))))
        }
        // Helpful marks: most posts a few, a handful many (a rough power law).
        let marks = min(members - 1, random.below(4) == 0 ? random.below(20) : random.below(4))
        var helpful: [(Int, Int)] = [], seen: Set<Int> = [author]
        for _ in 0..<max(0, marks) {
            let member = random.below(members)
            guard seen.insert(member).inserted else { continue }
            helpful.append((member, random.below(max(1, min(age, 24 * 30)))))
        }
        return Post(author: author, kind: kind, title: title, body: sentences.joined(separator: " "), anonymous: anonymous,
                    membersOnly: random.below(10) == 0, ageHours: age, comments: comments, helpful: helpful)
    }
}
