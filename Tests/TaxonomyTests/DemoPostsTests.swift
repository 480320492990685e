import Testing

@testable import Taxonomy

@Suite("Generated knowledge posts")
struct DemoPostsTests {
    @Test("the same seed gives the same posts; replies answer a top-level comment; nobody marks their own post")
    func deterministic() {
        var one = DemoPosts(seed: 3), two = DemoPosts(seed: 3)
        for index in 0..<500 {
            let a = one.post(by: index % 50, among: 50, niche: "WordPress maintenance")
            #expect(a == two.post(by: index % 50, among: 50, niche: "WordPress maintenance"))
            #expect(!a.helpful.contains { $0.member == a.author })
            for comment in a.comments {
                if let parent = comment.replyTo { #expect(a.comments[parent].replyTo == nil) }
            }
            #expect(!a.anonymous || ["horror_story", "mistake"].contains(a.kind))
            #expect(a.title.contains("WordPress maintenance") || a.title.hasPrefix("WordPress maintenance"))
        }
    }

    @Test("kinds come in the proportions a network shows: tips most, case studies fewest")
    func proportions() {
        var generator = DemoPosts(seed: 1)
        var kinds: [String: Int] = [:]
        for index in 0..<5_000 { kinds[generator.post(by: index % 100, among: 100, niche: "Bookkeeping").kind, default: 0] += 1 }
        #expect(kinds["tip", default: 0] > kinds["question", default: 0] && kinds["question", default: 0] > kinds["case_study", default: 0])
        #expect(kinds.count == 7)
    }
}
