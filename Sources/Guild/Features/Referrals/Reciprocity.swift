import Fluent
import SQLKit
import Validation
import Vapor

/// A member's give and take, kindly: counts, conversion, closed value both ways per currency, per
/// partner, and a few suggestions. Never a ranking of members against each other.
struct ReciprocitySummary: Encodable, Sendable {
    struct Amount: Encodable, Sendable { var currency: String; var display: String; var amount: String; var minorUnits: Int64 }
    struct Partner: Encodable, Sendable {
        var name: String
        var slug: String?
        var sent: Int
        var received: Int
        var text: String
    }
    struct Suggestion: Encodable, Sendable { var text: String; var slug: String?; var name: String }

    var given: Int
    var received: Int
    var givenWon: Int
    var receivedWon: Int
    /// Won ÷ received that reached a decision, as a whole percentage; nil before any did.
    var conversion: Int?
    /// Business the member's referrals won for others: credited to the member.
    var creditedValue: [Amount]
    /// Business the member won from referrals received.
    var wonValue: [Amount]
    var partners: [Partner]
    var suggestions: [Suggestion]
}

enum Reciprocity {
    static func summary(for userID: UUID, on db: any Database) async throws -> ReciprocitySummary {
        struct Counts: Decodable { var given: Int; var received: Int; var given_won: Int; var received_won: Int; var received_decided: Int }
        let counts = try await db.sql.raw("""
            SELECT
                COALESCE(SUM(CASE WHEN giver_id = \(bind: userID) THEN 1 ELSE 0 END), 0) AS given,
                COALESCE(SUM(CASE WHEN receiver_id = \(bind: userID) THEN 1 ELSE 0 END), 0) AS received,
                COALESCE(SUM(CASE WHEN giver_id = \(bind: userID) AND status = 'won' THEN 1 ELSE 0 END), 0) AS given_won,
                COALESCE(SUM(CASE WHEN receiver_id = \(bind: userID) AND status = 'won' THEN 1 ELSE 0 END), 0) AS received_won,
                COALESCE(SUM(CASE WHEN receiver_id = \(bind: userID) AND status IN ('won', 'lost', 'declined') THEN 1 ELSE 0 END), 0) AS received_decided
            FROM referrals WHERE giver_id = \(bind: userID) OR receiver_id = \(bind: userID)
            """).first(decoding: Counts.self) ?? Counts(given: 0, received: 0, given_won: 0, received_won: 0, received_decided: 0)
        struct Value: Decodable { var side: String; var currency: String; var total: Int64 }
        let values = try await db.sql.raw("""
            SELECT CASE WHEN giver_id = \(bind: userID) THEN 'credited' ELSE 'won' END AS side, currency, CAST(SUM(value_minor) AS BIGINT) AS total
            FROM referrals WHERE status = 'won' AND currency IS NOT NULL AND (giver_id = \(bind: userID) OR receiver_id = \(bind: userID))
            GROUP BY side, currency ORDER BY currency
            """).all(decoding: Value.self)
        func amounts(_ side: String) -> [ReciprocitySummary.Amount] {
            values.filter { $0.side == side }.map {
                let money = Money(minorUnits: $0.total, currency: $0.currency)
                return .init(currency: $0.currency, display: money.display, amount: money.amountText, minorUnits: $0.total)
            }
        }
        struct PartnerRow: Decodable { var partner_id: UUID; var name: String; var slug: String?; var sent: Int; var received: Int }
        let partners = try await db.sql.raw("""
            SELECT x.partner_id, \(AccountsSQL.name(of: "x.partner_id")) AS name, \(ProfilesSQL.slug(of: "x.partner_id")) AS slug,
                SUM(x.sent) AS sent, SUM(x.received) AS received FROM (
                SELECT receiver_id AS partner_id, 1 AS sent, 0 AS received FROM referrals WHERE giver_id = \(bind: userID)
                UNION ALL
                SELECT giver_id AS partner_id, 0 AS sent, 1 AS received FROM referrals WHERE receiver_id = \(bind: userID)
            ) x
            GROUP BY x.partner_id ORDER BY SUM(x.sent) + SUM(x.received) DESC, name LIMIT 20
            """).all(decoding: PartnerRow.self)
        var suggestions: [ReciprocitySummary.Suggestion] = partners.filter { $0.received > $0.sent }.prefix(3).map {
            .init(text: "\($0.name) sent you \($0.received) and you sent \($0.sent): keep them in mind for your next client.", slug: $0.slug, name: $0.name)
        }
        // Members in the niches this member wants to meet, whom they have not yet exchanged clients with.
        let known = Set(partners.map(\.partner_id))
        let wanted = try await Profiles.inPartnerNiches(of: userID, on: db)
        for row in wanted where !known.contains(row.user_id) && suggestions.count < 5 && !suggestions.contains(where: { $0.slug == row.slug }) {
            suggestions.append(.init(text: "\(row.name) works in \(row.niche), which you want to meet.", slug: row.slug, name: row.name))
        }
        return ReciprocitySummary(
            given: counts.given, received: counts.received, givenWon: counts.given_won, receivedWon: counts.received_won,
            conversion: counts.received_decided > 0 ? Int((Double(counts.received_won) / Double(counts.received_decided) * 100).rounded()) : nil,
            creditedValue: amounts("credited"), wonValue: amounts("won"),
            partners: partners.map {
                .init(name: $0.name, slug: $0.slug, sent: $0.sent, received: $0.received,
                      text: "you sent \($0.name) \($0.sent), \($0.name) sent you \($0.received)")
            },
            suggestions: suggestions)
    }

}
