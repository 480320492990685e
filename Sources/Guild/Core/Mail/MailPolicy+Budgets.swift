import Fluent
import Foundation
import SQLKit
import Vapor

/// Each account's daily budget of emails to people outside Guild, and who spent how much today.
extension MailPolicy {
    /// How many more non-members `sender` may email today (for a form that sends several at once).
    static func remaining(for sender: UUID, on db: any Database, now: Date = Date()) async throws -> Int {
        max(0, try await budget(of: sender, now: now, on: db) - spentToday(by: sender, now: now, on: db))
    }


    /// The member's budget: what an admin set, else by role and the account's age.
    static func budget(of sender: UUID, now: Date = Date(), on db: any Database) async throws -> Int {
        struct Row: Decodable { var role: String; var created_at: Date?; var daily: Int? }
        guard let row = try await db.sql.raw("""
            SELECT u.role, u.created_at, b.daily FROM users u LEFT JOIN mail_budgets b ON b.user_id = u.id WHERE u.id = \(bind: sender)
            """).first(decoding: Row.self) else { return 0 }
        return budget(role: row.role, createdAt: row.created_at, set: row.daily, now: now)
    }

    /// The rule itself, for rows read with the account (`today` reads every sender's at once).
    static func budget(role: String, createdAt: Date?, set daily: Int?, now: Date) -> Int {
        if let daily { return daily }
        if role != Role.member.rawValue { return staffBudget }
        return (createdAt ?? now) > now.addingTimeInterval(-firstWeek) ? firstWeekBudget : dailyBudget
    }

    /// An admin's budget for one account (`guild outbox budget`, `/admin`); nil returns it to the default.
    static func setBudget(_ daily: Int?, for user: UUID, on db: any Database) async throws {
        guard let daily else {
            try await db.sql.raw("DELETE FROM mail_budgets WHERE user_id = \(bind: user)").run()
            return
        }
        try await db.sql.raw("""
            INSERT INTO mail_budgets (user_id, daily, set_at) VALUES (\(bind: user), \(bind: daily), \(bind: Date()))
            ON CONFLICT (user_id) DO UPDATE SET daily = EXCLUDED.daily, set_at = EXCLUDED.set_at
            """).run()
    }

    struct SenderToday: Sendable {
        var senderID: UUID
        var name: String
        var email: String
        var nonMembers: Int
        var members: Int
        var budget: Int
    }

    /// Who made Guild send how much today (UTC), busiest first, with each one's budget, in one read:
    /// `guild outbox today`, `/admin`.
    static func today(now: Date = Date(), limit: Int = 50, on db: any Database) async throws -> [SenderToday] {
        struct Row: Decodable {
            var sender_id: UUID; var name: String; var email: String; var role: String; var created_at: Date?; var daily: Int?
            var non_members: Int; var members: Int
        }
        return try await db.sql.raw("""
            SELECT s.sender_id, u.name, u.email, u.role, u.created_at, b.daily,
                SUM(CASE WHEN s.to_member THEN 0 ELSE 1 END) AS non_members, SUM(CASE WHEN s.to_member THEN 1 ELSE 0 END) AS members
            FROM mail_sends s JOIN users u ON u.id = s.sender_id LEFT JOIN mail_budgets b ON b.user_id = u.id
            WHERE s.day = \(bind: day(now))
            GROUP BY s.sender_id, u.name, u.email, u.role, u.created_at, b.daily ORDER BY non_members DESC, members DESC LIMIT \(literal: limit)
            """).all(decoding: Row.self).map {
                SenderToday(senderID: $0.sender_id, name: $0.name, email: $0.email, nonMembers: $0.non_members, members: $0.members,
                            budget: budget(role: $0.role, createdAt: $0.created_at, set: $0.daily, now: now))
            }
    }
}
