import Fluent
import Foundation
import SQLKit

/// While a member is under cover, matches that would have named them name their first available
/// backup instead, with a reason saying whom the backup covers for; with nobody available, they are
/// left out, as away members are.
enum CoverRouting {
    static func reroute(_ matches: [MemberMatch], on db: any Database) async throws -> [MemberMatch] {
        guard !matches.isEmpty else { return matches }
        struct Covered: Decodable { var slug: String; var member_id: UUID; var name: String }
        let covered = try await db.sql.raw("""
            SELECT \(ProfilesSQL.slug(of: "a.member_id")) AS slug, a.member_id, \(AccountsSQL.name(of: "a.member_id")) AS name
            FROM cover_activations a
            WHERE a.ended_at IS NULL AND \(ProfilesSQL.slug(of: "a.member_id")) IN (\(binds: matches.map(\.slug)))
            """).all(decoding: Covered.self)
        guard !covered.isEmpty else { return matches }
        let bySlug = Dictionary(covered.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [MemberMatch] = []
        var shown = Set<String>()
        for match in matches {
            guard let away = bySlug[match.slug] else {
                if shown.insert(match.slug).inserted { result.append(match) }
                continue
            }
            guard let backup = try await CoverBackups.available(for: away.member_id, on: db).first,
                  let row = try await Matcher.profiles("p.user_id = \(bind: backup)", on: db).first,
                  shown.insert(row.slug).inserted else { continue }
            let reasons = [MatchReason(kind: "cover", text: "Covering for \(away.name), who is away")]
                + match.reasons.filter { $0.kind == "niche" || $0.kind == "sentence" || $0.kind == "words" }.map {
                    MatchReason(kind: $0.kind, text: "\(away.name): \($0.text)")
                }
            result.append(MemberMatch(slug: row.slug, name: row.name, business: row.business, headline: row.headline, city: row.city,
                                      score: match.score, reasons: reasons))
        }
        return result
    }
}
