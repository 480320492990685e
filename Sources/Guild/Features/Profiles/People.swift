import Fluent
import Foundation
import SQLKit

/// Who a member is, for a line of text or an email: name, address and profile slug (if they have a
/// profile). The one lookup of people by id that every feature uses (one-to-ones, events, circles,
/// cover, referrals…), so none of them reads `users` and `profiles` on its own.
enum People {
    struct Person: Decodable, Sendable { var id: UUID; var name: String; var email: String; var slug: String? }

    /// Two indexed reads, one per owner: the accounts, then the slugs of those with a profile.
    static func byID(_ ids: [UUID], on db: any Database) async throws -> [UUID: Person] {
        guard !ids.isEmpty else { return [:] }
        let ids = Array(Set(ids))
        let accounts = try await Accounts.namesAndEmails(ids, on: db)
        guard !accounts.isEmpty else { return [:] }
        struct Row: Decodable { var user_id: UUID; var slug: String }
        let slugs = try await db.sql.raw("""
            SELECT user_id, slug FROM profiles WHERE user_id IN (\(SQLList(Array(accounts.keys).map { SQLBind($0) })))
            """).all(decoding: Row.self)
        var people = accounts.mapValues { Person(id: $0.id, name: $0.name, email: $0.email) }
        for row in slugs { people[row.user_id]?.slug = row.slug }
        return people
    }
}
