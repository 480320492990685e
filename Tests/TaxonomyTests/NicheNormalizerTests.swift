@testable import Taxonomy
import Foundation
import Testing

@Suite("Niche normalization and the taxonomy")
struct NicheNormalizerTests {
    @Test("case, spacing, punctuation, plurals and variants fold to one key",
          arguments: [
            ("WordPress Sites", "wordpress website"), ("word-press  site", "wordpress website"),
            ("E-Commerce Websites", "ecommerce website"), ("Bookkeepers", "bookkeeping"),
            ("Agencies", "agency"), ("Boxes", "box"), ("Business Coaching", "business coaching"),
            ("Café Marketing", "cafe marketing"), ("Search Engine Optimisation", "search engine optimization"),
            ("Brand Colours", "brand color"), ("Photographers", "photography"), ("Keycard & Fob Access", "keycard and fob access"),
            ("Analytics", "analytics"), ("Fitness Classes", "fitness class"),
          ])
    func keys(typed: String, key: String) {
        #expect(NicheNormalizer.key(typed) == key)
    }

    @Test("slugs are lowercase ASCII with dashes")
    func slugs() {
        #expect(Slug.make("Café Ortega & Co.") == "cafe-ortega-co")
        #expect(Slug.make("  ---  ") == "")
        #expect(Slug.make("iOS / Android") == "ios-android")
    }

    @Test("the curated taxonomy has at least 200 niches in about 15 categories, no alias twice")
    func taxonomyFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/Taxonomy/niches.txt")
        let taxonomy = try Taxonomy.parse(String(contentsOf: url, encoding: .utf8))
        #expect(taxonomy.allNiches.count >= 200)
        #expect((13...17).contains(taxonomy.categories.count))
        #expect(taxonomy.allNiches.allSatisfy { !$0.clientWords.isEmpty || !$0.synonyms.isEmpty })
        let names = taxonomy.allNiches.map { NicheNormalizer.key($0.name) }
        #expect(Set(names).count == names.count, "two niches normalize to the same name")
        let web = try #require(taxonomy.allNiches.first { $0.name == "Web application development" })
        #expect(web.clientWords.contains("booking system"))
    }

    @Test("a malformed taxonomy line is reported with its number")
    func taxonomyErrors() {
        #expect(throws: Taxonomy.ParseError(line: 1, reason: "niche before any category")) {
            try Taxonomy.parse("lonely niche | a | b")
        }
        #expect(throws: Taxonomy.ParseError.self) { try Taxonomy.parse("## Cat\nno pipes here") }
        #expect(throws: Taxonomy.ParseError.self) { try Taxonomy.parse("## Cat\na | | \nA | | ") }
    }

    @Test("edit distance")
    func editDistance() {
        #expect(EditDistance.between("photgraphy", "photography") == 1)
        #expect(EditDistance.between("kitten", "sitting") == 3)
        #expect(EditDistance.between("abc", "xyz", limit: 1) > 1)
        #expect(EditDistance.between("", "abc") == 3)
        // Two neighbouring letters swapped are one typo; other reorderings are not.
        #expect(EditDistance.between("hmoe", "home") == 1)
        #expect(EditDistance.between("phtoography", "photography") == 1)
        #expect(EditDistance.between("ab", "ba") == 1)
        #expect(EditDistance.between("abc", "ca") == 3)  // OSA: no edits on a swapped pair
        #expect(EditDistance.between("hmoe", "home", limit: 0) > 0)
        // Against a plain Levenshtein with swaps added, on every pair of short words over three letters.
        let letters = ["a", "b", "c"]
        let words = [""] + letters + letters.flatMap { a in letters.map { a + $0 } }
            + letters.flatMap { a in letters.flatMap { b in letters.map { a + b + $0 } } }
        for a in words { for b in words { #expect(EditDistance.between(a, b) == reference(a, b), "\(a) \(b)") } }
    }

    /// The textbook OSA recurrence over a full matrix.
    private func reference(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in stride(from: 1, through: x.count, by: 1) {
            for j in stride(from: 1, through: y.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }

    @Test("the demo network is the same for the same seed and different for another")
    func demoDeterministic() throws {
        let taxonomy = try Taxonomy.parse("## A\nweb design | web designer | website\nseo | search | rank\nbookkeeping | books | taxes\n")
        var first = DemoNetwork(taxonomy: taxonomy, seed: 7), second = DemoNetwork(taxonomy: taxonomy, seed: 7)
        var other = DemoNetwork(taxonomy: taxonomy, seed: 8)
        let a = (0..<50).map { first.member($0) }, b = (0..<50).map { second.member($0) }
        let c = (0..<50).map { other.member($0) }
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a.map(\.email)).count == 50)
        #expect(a.allSatisfy { (1...4).contains($0.niches.count) && !$0.bio.isEmpty && !$0.city.isEmpty })
    }

    @Test("demo members read like real practices: one or two related categories, no word said twice, proper names")
    func demoRealistic() throws {
        let text = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/TaxonomyTests/NicheNormalizerTests.swift",
                                                                           with: "Resources/Taxonomy/niches.txt"), encoding: .utf8)
        let taxonomy = try Taxonomy.parse(text)
        let categoryOf = Dictionary(uniqueKeysWithValues: taxonomy.categories.enumerated().flatMap { index, category in
            category.niches.map { ($0.slug, index) }
        })
        var network = DemoNetwork(taxonomy: taxonomy, seed: 1)
        let all = taxonomy.allNiches
        for number in 0..<2_000 {
            let member = network.member(number)
            let categories = Set(member.niches.map { categoryOf[all[$0.index].slug]! })
            #expect(categories.count <= 2, "\(member.name): \(member.niches.map { all[$0.index].name })")
            if categories.count == 2 {
                let sorted = categories.sorted()
                #expect(sorted[1] - sorted[0] == 1 || (sorted[0] == 0 && sorted[1] == taxonomy.categories.count - 1))
            }
            // "birthday cake and birthday cake" is how a generator writes, not a person.
            let quoted = member.bio.split(separator: "“").dropFirst().map { $0.split(separator: "”")[0] }
            #expect(Set(quoted).count == quoted.count, "\(member.bio)")
            #expect(!member.bio.contains(" and \(member.bio)"))
            #expect(!member.business.contains("Seo") && !member.headline.hasPrefix("Local seo"))
        }
    }
}
