import Fluent
import Foundation
import SQLKit

/// Who a member is, for a line of text or an email: name, address and profile slug (if they have a
/// profile). The one lookup of people by id that every feature uses (one-to-ones, events, circles,
/// cover, referrals…), so none of them reads `users` and `profiles` on its own.
enum People {
    struct Person: Decodable, Sendable { var id: UUID; var name: String; var email: String; var slug: String? }

    static func byID(_ ids: [UUID], on db: any Database) async throws -> [UUID: Person] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT u.id, u.name, u.email, p.slug FROM users u LEFT JOIN profiles p ON p.user_id = u.id
            WHERE u.id IN (\(SQLList(Array(Set(ids)).map { SQLBind($0) })))
            """).all(decoding: Person.self)
        return Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
