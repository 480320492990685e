import Fluent
import Matching
import SQLKit
import Vapor

/// A client's need, as typed: the words, and optionally where and whether remote help will do.
struct MatchNeed: Sendable {
    static let maxNeedCharacters = 1000
    var need: String
    var city: String?
    var remoteOK: Bool
    var limit: Int

    /// Checks the need and names the field at fault.
    static func validated(need raw: String?, city rawCity: String?, remote: Bool?, limit rawLimit: Int?) throws -> MatchNeed {
        let need = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !need.isEmpty else { throw MatchingError.invalid(field: "need", "Describe what you need, in a sentence or two.") }
        // Counted as the API document counts (code points), so both agree on what is too long.
        guard need.unicodeScalars.count <= maxNeedCharacters else {
            throw MatchingError.invalid(field: "need", "The need can be at most \(maxNeedCharacters) characters; shorten it to what matters.")
        }
        let city = rawCity?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let city, city.unicodeScalars.count > 100 { throw MatchingError.invalid(field: "city", "The city can be at most 100 characters.") }
        let limit = rawLimit ?? 10
        guard (1...50).contains(limit) else { throw MatchingError.invalid(field: "limit", "limit must be from 1 to 50.") }
        return MatchNeed(need: need, city: city?.isEmpty == true ? nil : city, remoteOK: remote ?? false, limit: limit)
    }
}

struct MatchReason: Sendable, Encodable, Equatable {
    /// niche, sentence, words, track, city, remote, availability
    var kind: String
    var text: String
}

struct MemberMatch: Sendable, Encodable {
    var slug: String
    var name: String
    var business: String
    var headline: String
    var city: String
    var score: Double
    var reasons: [MatchReason]
}

struct MatchResults: Sendable, Encodable {
    var matches: [MemberMatch]
    /// False when the model is off: the matches come from the directory's word search.
    var semantic: Bool
    /// Something to try when nothing matched.
    var suggestion: String?
}

/// Need → the members most likely to help, each with reasons a person can check. Semantic when the
/// model is loaded (a member's best two pieces, the best weighted most: `MatchSnapshot.rank`), with
/// members not embedded yet found by the directory's word search and listed after; word search
/// alone when the model is off.
enum Matcher {
    /// Below this a member shares little more than the language with the need (unrelated sentences
    /// score 0–0.2 with this model; the right members in the dev set scored 0.35–0.6).
    static let minimumScore: Float = 0.2

    static func match(_ need: MatchNeed, app: Application, db: any Database) async throws -> MatchResults {
        // Punctuation alone says nothing; and the model reads English, so a need with no Latin letters would match noise.
        guard need.need.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }) else {
            return MatchResults(matches: [], semantic: app.matchingModel.status == .ready,
                                suggestion: "There are no words in that need; describe what the client needs in a sentence or two.")
        }
        guard need.need.unicodeScalars.contains(where: { $0.properties.isAlphabetic && $0.value < 0x0250 }) else {
            return MatchResults(matches: [], semantic: app.matchingModel.status == .ready,
                                suggestion: "Guild understands needs written in English; try describing it in English.")
        }
        let encoder = await app.matchingModel.load(on: app.threadPool, logger: app.logger)
        var ranked: [RankedMember] = []
        var snapshot = MatchSnapshot.empty
        var counts: [UUID: ReferralCounts] = [:]
        if let encoder {
            try await app.matchIndex.refresh(on: db)
            snapshot = app.matchIndex.snapshot
            // Embedding and ranking run on a pool thread: together 15–40 ms of CPU an event loop must not spend.
            let text = need.need, city = need.city?.lowercased(), remoteOK = need.remoteOK, limit = need.limit, picture = snapshot
            let candidates = try await app.threadPool.runIfActive {
                picture.rank(encoder.embed(text), limit: limit * 2) { member in
                    guard let city else { return true }
                    return member.cityKey.hasPrefix(city) || (remoteOK && member.remote)
                }
            }.filter { $0.score >= minimumScore }
            counts = try await referralCounts(for: candidates.map(\.id), on: db)
            ranked = Array(MatchSnapshot.orderFairly(candidates, recentReferrals: { counts[$0]?.recent ?? 0 }).prefix(limit))
        }
        var matches = try await hydrate(ranked, need: need, wins: counts.mapValues(\.won), on: db)
        // Members not embedded yet (just imported or edited), or every member when the model is off.
        if matches.count < need.limit {
            let lexical = try await lexicalMatches(need, skipping: { snapshot.isEmbedded($0) }, on: db)
            let shown = Set(matches.map(\.slug))
            matches += lexical.filter { !shown.contains($0.slug) }.prefix(need.limit - matches.count)
        }
        matches = try await CoverRouting.reroute(matches, on: db)
        let suggestion = matches.isEmpty
            ? "Nobody matched yet. Try describing the problem in other words" + (need.city == nil ? "." : ", or leave out the city.") : nil
        return MatchResults(matches: matches, semantic: encoder != nil, suggestion: suggestion)
    }

    /// Per member (by profile): referrals received in the last 90 days (the fairness signal that
    /// orders equally good matches) and referred clients won (the track record among the reasons),
    /// in one read for the candidates.
    struct ReferralCounts: Decodable { var id: UUID; var recent: Int; var won: Int }

    static func referralCounts(for profileIDs: [UUID], on db: any Database) async throws -> [UUID: ReferralCounts] {
        guard !profileIDs.isEmpty else { return [:] }
        return Dictionary(try await db.sql.raw("""
            SELECT p.id,
                COALESCE(SUM(CASE WHEN r.created_at > \(bind: Date().addingTimeInterval(-90 * 86_400)) THEN 1 ELSE 0 END), 0) AS recent,
                COALESCE(SUM(CASE WHEN r.status = 'won' THEN 1 ELSE 0 END), 0) AS won
            FROM profiles p JOIN referrals r ON r.receiver_id = p.user_id
            WHERE p.id IN (\(binds: profileIDs)) GROUP BY p.id
            """).all(decoding: ReferralCounts.self).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    struct ProfileRow: Decodable {
        var id: UUID; var slug: String; var name: String; var business: String; var headline: String; var city: String
        var city_key: String; var remote: Bool; var availability: String; var away_until: Date?; var niche_tags: String
        var isAway: Bool { availability == Availability.away.rawValue && (away_until.map { $0 > Date() } ?? true) }
    }

    static func profiles(_ condition: SQLQueryString, on db: any Database) async throws -> [ProfileRow] {
        try await db.sql.raw("""
            SELECT p.id, p.slug, u.name, p.business, p.headline, p.city, p.city_key, p.remote, p.availability, p.away_until, p.niche_tags
            FROM profiles p JOIN users u ON u.id = p.user_id WHERE \(condition)
            """).all(decoding: ProfileRow.self)
    }

    /// Ranked members with their quoted pieces; members deleted since the snapshot drop out here.
    static func hydrate(_ ranked: [RankedMember], need: MatchNeed, wins: [UUID: Int], on db: any Database) async throws -> [MemberMatch] {
        guard !ranked.isEmpty else { return [] }
        struct TextRow: Decodable { var id: Int64; var text: String }
        let rows = try await profiles("p.id IN (\(binds: ranked.map(\.id)))", on: db)
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let textIDs = Set(ranked.flatMap { $0.best.map(\.piece.textID) })
        let texts = Dictionary(
            try await db.sql.raw("SELECT id, text FROM match_texts WHERE id IN (\(binds: Array(textIDs)))").all(decoding: TextRow.self)
                .map { ($0.id, $0.text) }, uniquingKeysWith: { first, _ in first })
        return ranked.compactMap { candidate in
            guard let row = byID[candidate.id], !row.isAway else { return nil }
            let niches = ProfileTags.decode(row.niche_tags).niches
            var reasons: [MatchReason] = []
            for (piece, similarity) in candidate.best where similarity > 0.2 {
                guard let text = texts[piece.textID] else { continue }
                switch piece.kind {
                case .niche, .nicheWords:
                    let name = piece.kind == .nicheWords ? NichePiece.name(inDescription: text) : text
                    let level = niches.first { $0.name.lowercased() == name.lowercased() }?.level
                    let reason = MatchReason(kind: "niche", text: "Works in \(name)" + (level.map { " (\($0))" } ?? ""))
                    if !reasons.contains(reason) { reasons.append(reason) }
                case .headline, .sentence:
                    reasons.append(MatchReason(kind: "sentence", text: "“\(quote(text))”"))
                }
            }
            if let won = wins[row.id], won > 0 {
                reasons.append(MatchReason(kind: "track", text: "Won \(won) client\(won == 1 ? "" : "s") referred through Guild"))
            }
            reasons += placeAndTime(row, need: need)
            return MemberMatch(slug: row.slug, name: row.name, business: row.business, headline: row.headline, city: row.city,
                               score: (Double(candidate.score) * 1000).rounded() / 1000, reasons: reasons)
        }
    }

    /// Found by words: the directory's search over the need's content words, minus away members, and
    /// minus members `skipping` says the semantic ranking already judged.
    static func lexicalMatches(_ need: MatchNeed, skipping: (UUID) -> Bool, on db: any Database) async throws -> [MemberMatch] {
        let words = DirectorySearch.searchTerms(
            need.need.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
                .filter { $0.count >= 3 && !DirectorySearch.stopWords.contains($0) })
        guard !words.isEmpty else { return [] }
        let found = try await DirectorySearch.search(
            DirectoryQuery(q: words.prefix(8).joined(separator: " "), perPage: max(need.limit * 2, 20)), on: db)
        guard !found.items.isEmpty else { return [] }
        let rows = try await profiles("p.slug IN (\(binds: found.items.map(\.slug)))", on: db)
        let bySlug = Dictionary(rows.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
        let city = need.city?.lowercased()
        return found.items.enumerated().compactMap { rank, item in
            guard let row = bySlug[item.slug], !row.isAway, !skipping(row.id) else { return nil }
            if let city, !(row.city_key.hasPrefix(city) || (need.remoteOK && row.remote)) { return nil }
            let text = (row.headline + " " + item.niches.map(\.name).joined(separator: " ")).lowercased()
            let mentioned = words.filter { text.contains($0.prefix(max(4, $0.count - 2))) }
            var reasons: [MatchReason] = []
            if !mentioned.isEmpty {
                reasons.append(MatchReason(kind: "words", text: "Mentions " + mentioned.prefix(3).map { "“\($0)”" }.joined(separator: ", ")))
            } else {
                reasons.append(MatchReason(kind: "words", text: "Their profile uses words from your need"))
            }
            reasons += placeAndTime(row, need: need)
            return MemberMatch(slug: row.slug, name: row.name, business: row.business, headline: row.headline, city: row.city,
                               score: 0, reasons: reasons)
        }
    }

    static func placeAndTime(_ row: ProfileRow, need: MatchNeed) -> [MatchReason] {
        var reasons: [MatchReason] = []
        if let city = need.city?.lowercased(), row.city_key.hasPrefix(city) {
            reasons.append(MatchReason(kind: "city", text: "In \(row.city)"))
        } else if row.remote {
            reasons.append(MatchReason(kind: "remote", text: "Works remotely" + (row.city.isEmpty ? "" : ", from \(row.city)")))
        } else if !row.city.isEmpty {
            reasons.append(MatchReason(kind: "city", text: "Based in \(row.city)"))
        }
        switch row.availability {
        case Availability.available.rawValue: reasons.append(MatchReason(kind: "availability", text: "Taking new work"))
        case Availability.busy.rawValue: reasons.append(MatchReason(kind: "availability", text: "Busy: may take a while to start"))
        default: break
        }
        return reasons
    }

    static func quote(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(197)) + "…"
    }
}
