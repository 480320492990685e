import Foundation
import Testing
@testable import Matching

@Suite("Matching: profile pieces and ranking")
struct MatchingTests {
    @Test("a profile becomes its niches, its headline and each sentence of its bio, without Markdown or addresses")
    func pieces() {
        // act
        let pieces = ProfileSentences.make(
            niches: [NichePiece(name: "Local SEO"), NichePiece(name: "Restaurant marketing"), NichePiece(name: "local seo")],
            headline: "Seats filled for independent restaurants",
            bio: "I help **restaurants** fill quiet nights. See [recent work](https://example.org) at https://x.example!\nMenus e.g. 3.5 pages? Sure.")
        // assert
        #expect(pieces.map(\.kind) == [.niche, .niche, .headline, .sentence, .sentence, .sentence, .sentence])
        #expect(pieces.map(\.text) == [
            "Local SEO", "Restaurant marketing", "Seats filled for independent restaurants",
            "I help restaurants fill quiet nights.", "See recent work at", "Menus e.g. 3.5 pages?", "Sure.",
        ])
    }

    @Test("a niche is the member's own words and the taxonomy's description of it; the description shows as its name")
    func nichePieces() {
        let crm = NichePiece(name: "CRM implementation", label: "Salesforce rescue", synonyms: ["crm", "CRM implementation"],
                             clientWords: ["customer database", "track leads"])
        let apps = NichePiece(name: "Mobile app development", label: "iOS; Android")
        let pieces = ProfileSentences.make(niches: [crm, NichePiece(name: "Quilting", label: "Quilting"), apps], headline: "", bio: "")
        #expect(pieces == [
            ProfileSentence(kind: .niche, text: "Salesforce rescue"),
            ProfileSentence(kind: .nicheWords, text: "CRM implementation: crm; customer database, track leads"),
            ProfileSentence(kind: .niche, text: "Quilting"),
            ProfileSentence(kind: .niche, text: "iOS"), ProfileSentence(kind: .niche, text: "Android"),
            ProfileSentence(kind: .niche, text: "Mobile app development"),
        ])
        #expect(NichePiece.name(inDescription: pieces[1].text) == "CRM implementation")
    }

    @Test("a piece without letters is dropped, and a pasted essay is cut to the limits")
    func limits() {
        let essay = (0..<100).map { "Sentence number \($0) is here." }.joined(separator: " ")
        let pieces = ProfileSentences.make(niches: [NichePiece(name: "---")], headline: String(repeating: "long ", count: 500), bio: essay)
        #expect(pieces.count == ProfileSentences.maxPieces)
        #expect(pieces.first?.kind == .headline)
        #expect(pieces.allSatisfy { $0.text.count <= ProfileSentences.maxCharacters })
    }

    static func unit(_ values: [Float]) -> [Float] {
        var v = values + [Float](repeating: 0, count: MatchSnapshot.dimension - values.count)
        let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = v.map { $0 / length }
        return v
    }

    static func member(_ id: UUID, _ texts: [Int64], away: Bool = false, city: String = "austin, tx", remote: Bool = false) -> MatchMember {
        MatchMember(id: id, cityKey: city, remote: remote, away: away,
                    pieces: texts.enumerated().map { .init(textID: $1, kind: $0 == 0 ? .niche : .sentence, position: $0) })
    }

    @Test("members rank by their best piece, confirmed by the second; away and unembedded members are left out")
    func ranking() {
        // setup: text 1 points at the need, 2 half-way, 3 away from it; 4 is not embedded yet
        let (a, b, c, d, e) = (UUID(), UUID(), UUID(), UUID(), UUID())
        let snapshot = MatchSnapshot.empty.updating(
            version: 1,
            vectors: [(1, Self.unit([1, 0])), (2, Self.unit([1, 1])), (3, Self.unit([0, 1]))],
            members: [Self.member(a, [1, 3]), Self.member(b, [2, 2, 3]), Self.member(c, [1, 2]),
                      Self.member(d, [1, 1], away: true), Self.member(e, [1, 4])])
        // act
        let ranked = snapshot.rank(Self.unit([1, 0]), limit: 10)
        // assert: c = .7 × 1 + .3 × .707, b = .707, a = .7 × 1 + .3 × 0; d is away; e waits for text 4
        #expect(ranked.map(\.id) == [c, b, a])
        #expect(abs(ranked[0].score - 0.9121) < 0.001)
        #expect(ranked[0].best.map(\.piece.textID) == [1, 2])
        #expect(!snapshot.isEmbedded(e) && snapshot.isEmbedded(a))
        // a later snapshot with text 4 embedded takes e in; the old one is unchanged
        let next = snapshot.updating(version: 2, vectors: [(4, Self.unit([1, 0.1]))], members: [])
        #expect(next.rank(Self.unit([1, 0]), limit: 1).map(\.id) == [e])
        #expect(snapshot.rank(Self.unit([1, 0]), limit: 10).count == 3)
    }

    @Test("filters pass through, limits hold, and near-ties go to whoever received fewer referrals lately")
    func filtersAndFairness() {
        let ids = (0..<50).map { _ in UUID() }
        var vectors: [(textID: Int64, vector: [Float])] = []
        var members: [MatchMember] = []
        for (index, id) in ids.enumerated() {
            vectors.append((Int64(index + 1), Self.unit([1, Float(index) * 0.05])))
            members.append(Self.member(id, [Int64(index + 1)], city: index % 2 == 0 ? "austin, tx" : "leeds, uk"))
        }
        // Spread over more than one chunk of vectors.
        let filler = (0..<1500).map { (textID: Int64(1000 + $0), vector: Self.unit([0, 1, Float($0)])) }
        let snapshot = MatchSnapshot.empty.updating(version: 1, vectors: vectors + filler, members: members)
        let inLeeds = snapshot.rank(Self.unit([1, 0]), limit: 5) { $0.cityKey.hasPrefix("leeds") }
        #expect(inLeeds.map(\.id) == [ids[1], ids[3], ids[5], ids[7], ids[9]])
        // Two equal members: the one with fewer recent referrals first, whichever order they came in.
        let twin = UUID()
        let tied = snapshot.updating(version: 2, vectors: [], members: [Self.member(twin, [1])])
        let busy = tied.rank(Self.unit([1, 0]), limit: 2, recentReferrals: { $0 == ids[0] ? 5 : 0 })
        #expect(busy.map(\.id) == [twin, ids[0]])
        let quiet = tied.rank(Self.unit([1, 0]), limit: 2, recentReferrals: { $0 == twin ? 5 : 0 })
        #expect(quiet.map(\.id) == [ids[0], twin])
    }
}
