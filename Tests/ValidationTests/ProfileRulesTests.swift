import Testing

@testable import Validation

@Suite("Profile field rules")
struct ProfileRulesTests {
    /// "é" as e + combining acute: one character, two code points.
    static func decomposed(_ count: Int) -> String { String(repeating: "e\u{301}", count: count) }

    @Test("limits count code points, as the API document does, whatever the script",
          arguments: [
            (decomposed(60), true), (decomposed(61), false),  // 120 and 122 code points
            (String(repeating: "👩‍💻", count: 40), true), (String(repeating: "👩‍💻", count: 41), false),  // 3 code points each
            (String(repeating: "東", count: 120), true), (String(repeating: "東", count: 121), false),
            (String(repeating: "ب", count: 120), true),
          ])
    func businessLimit(business: String, accepted: Bool) {
        let result = ProfileRules.validate(ProfileFields(business: business, niches: ["bookkeeping"]))
        switch result {
        case .success(let fields): #expect(accepted); #expect(fields.business == business)
        case .failure(let problem): #expect(!accepted); #expect(problem.field == "business")
        }
    }

    @Test("a bio of 5,000 code points in emoji and combining marks is accepted; one more is not")
    func bioLimit() {
        let bio = String(repeating: "👩‍💻", count: 1_000) + Self.decomposed(1_000)  // 3,000 + 2,000
        #expect((try? ProfileRules.validate(ProfileFields(bio: bio, niches: ["seo"])).get()) != nil)
        let over = bio + "!"
        #expect(throws: FieldProblem.self) { try ProfileRules.validate(ProfileFields(bio: over, niches: ["seo"])).get() }
    }

    @Test("niches: at least one, at most ten, each a name; web addresses made absolute")
    func nichesAndAddresses() throws {
        #expect(throws: FieldProblem(field: "niches", message: "List at least one niche you are great at.")) {
            try ProfileRules.validate(ProfileFields()).get()
        }
        #expect(throws: FieldProblem.self) { try ProfileRules.validate(ProfileFields(niches: Array(repeating: "seo", count: 11))).get() }
        #expect(throws: FieldProblem.self) { try ProfileRules.validate(ProfileFields(niches: ["--"])).get() }
        let valid = try ProfileRules.validate(ProfileFields(website: " example.com ", niches: [" 東京 photography "])).get()
        #expect(valid.website == "https://example.com")
        #expect(valid.niches == ["東京 photography"])
        #expect(throws: FieldProblem.self) { try ProfileRules.validate(ProfileFields(blogURL: "not a url", niches: ["seo"])).get() }
    }
}
