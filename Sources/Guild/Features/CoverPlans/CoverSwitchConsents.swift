import Fluent
import Foundation
import SQLKit

/// "Organizers of these circles may switch my cover on": a member's consent per circle. Without it
/// only the member, their trusted contact's link and an admin start their cover.
enum CoverSwitchConsents {
    struct Choice: Encodable, Sendable {
        var id: UUID
        var name: String
        var allowed: Bool
    }

    /// The member's circles, each with whether its organizers may switch the member's cover on.
    static func choices(of member: UUID, on db: any Database) async throws -> [Choice] {
        let circles = try await Circles.of(member, on: db)
        let allowed = try await allowedCircles(of: member, on: db)
        return circles.map { Choice(id: $0.id, name: $0.name, allowed: allowed.contains($0.id)) }
    }

    static func allowedCircles(of member: UUID, on db: any Database) async throws -> Set<UUID> {
        struct Row: Decodable { var circle_id: UUID }
        return Set(try await db.sql.raw("SELECT circle_id FROM cover_switch_consents WHERE member_id = \(bind: member)")
            .all(decoding: Row.self).map(\.circle_id))
    }

    /// Replaces the member's consents with `circles` (only circles they belong to count).
    static func set(_ circles: Set<UUID>, for member: UUID, on db: any Database) async throws {
        let own = Set(try await Circles.of(member, on: db).map(\.id))
        let kept = circles.intersection(own)
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("DELETE FROM cover_switch_consents WHERE member_id = \(bind: member)").run()
            for circle in kept {
                try await db.sql.raw("""
                    INSERT INTO cover_switch_consents (member_id, circle_id, created_at) VALUES (\(bind: member), \(bind: circle), \(bind: Date()))
                    """).run()
            }
        }
    }

    /// Whether `organizer` organizes a circle the member belongs to and allowed.
    static func allows(_ organizer: UUID, toSwitch member: UUID, on db: any Database) async throws -> Bool {
        let shared = try await allowedCircles(of: member, on: db).intersection(try await Circles.organized(by: organizer, on: db))
        for circle in shared where try await Circles.role(of: member, in: circle, on: db) != nil { return true }
        return false
    }

    /// The members who allowed the organizers of any of `circles` to switch their cover on.
    static func members(allowing circles: Set<UUID>, on db: any Database) async throws -> Set<UUID> {
        guard !circles.isEmpty else { return [] }
        struct Row: Decodable { var member_id: UUID }
        return Set(try await db.sql.raw("""
            SELECT member_id FROM cover_switch_consents WHERE circle_id IN (\(binds: Array(circles)))
            """).all(decoding: Row.self).map(\.member_id))
    }
}
