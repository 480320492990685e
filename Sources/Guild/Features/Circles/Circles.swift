import Fluent
import Foundation
import SafeMarkdown
import SQLKit
import Taxonomy
import Validation
import Vapor

struct CircleRecord: Decodable, Sendable {
    var id: UUID
    var slug: String
    var name: String
    var description: String
    var description_html: String
    var city: String
    var online: Bool
    var member_count: Int
    var created_at: Date
}

enum CircleRole: String, Sendable, Codable {
    case member, organizer
}

/// A member of a circle as its page shows them: the profile, the role, the niches.
struct CircleMemberRow: Decodable, Sendable {
    var user_id: UUID
    var name: String
    var slug: String?
    var business: String?
    var role: String
    var joined_at: Date
}

/// Open groups: anyone may join or leave, and there is no one-seat-per-trade rule. Organizers
/// invite by email, remove a member with a reason the member is told, and hand their role on.
enum Circles {
    static let pageSize = 30

    /// A circle makes its creator an organizer, who may invite by email: five new circles a day each.
    static let createsPerDay = Throttle(limit: 5, window: 86_400)

    /// `limited: false` only for the demo's generated network.
    static func create(_ raw: CircleFields, by userID: UUID, limited: Bool = true, on db: any Database) async throws -> CircleRecord {
        let fields = try EventRules.validate(raw).mapError { EventsError.invalid(field: $0.field, $0.message) }.get()
        if limited { try await createsPerDay.consume("circle-create:\(userID)", on: db) }
        let id = UUID(), now = Date()
        let html = SafeMarkdown().html(fields.description)
        try await db.writeTransaction(reportingGeneration: false) { db in
            let slug = try await uniqueSlug(for: fields.name, on: db)
            try await db.sql.raw("""
                INSERT INTO circles (id, slug, name, description, description_html, city, online, member_count, created_by, created_at, updated_at)
                VALUES (\(bind: id), \(bind: slug), \(bind: fields.name), \(bind: fields.description), \(bind: html), \(bind: fields.city),
                        \(bind: fields.online), 1, \(bind: userID), \(bind: now), \(bind: now))
                """).run()
            try await db.sql.raw("""
                INSERT INTO circle_members (circle_id, user_id, role, joined_at)
                VALUES (\(bind: id), \(bind: userID), \(bind: CircleRole.organizer.rawValue), \(bind: now))
                """).run()
        }
        return try await require(id: id, on: db)
    }

    static func update(_ circle: CircleRecord, _ raw: CircleFields, on db: any Database) async throws -> CircleRecord {
        let fields = try EventRules.validate(raw).mapError { EventsError.invalid(field: $0.field, $0.message) }.get()
        try await db.sql.raw("""
            UPDATE circles SET name = \(bind: fields.name), description = \(bind: fields.description),
                description_html = \(bind: SafeMarkdown().html(fields.description)), city = \(bind: fields.city),
                online = \(bind: fields.online), updated_at = \(bind: Date())
            WHERE id = \(bind: circle.id)
            """).run()
        return try await require(id: circle.id, on: db)
    }

    /// "breakfast-club", then "breakfast-club-2" (see `FreeSlug`): shared links keep working.
    static func uniqueSlug(for name: String, on db: any Database) async throws -> String {
        try await FreeSlug.pick(Slug.make(name).isEmpty ? "circle" : Slug.make(name), in: "circles", on: db)
    }

    static func find(slug: String, on db: any Database) async throws -> CircleRecord? {
        guard slug.count <= 80 else { return nil }
        return try await db.sql.raw("SELECT * FROM circles WHERE slug = \(bind: slug)").first(decoding: CircleRecord.self)
    }

    static func require(slug: String, on db: any Database) async throws -> CircleRecord {
        guard let circle = try await find(slug: slug, on: db) else { throw EventsError.circleNotFound }
        return circle
    }

    static func require(id: UUID, on db: any Database) async throws -> CircleRecord {
        guard let circle = try await db.sql.raw("SELECT * FROM circles WHERE id = \(bind: id)").first(decoding: CircleRecord.self) else {
            throw EventsError.circleNotFound
        }
        return circle
    }

    /// Circles by name, optionally those whose name or city contains `query`.
    static func list(query: String, page: Int, on db: any Database) async throws -> (rows: [CircleRecord], total: Int) {
        let pattern = LikePattern.containing(query.lowercased())
        let filter: SQLQueryString = query.isEmpty ? "" : "WHERE LOWER(name) LIKE \(bind: pattern) \(LikePattern.escape) OR LOWER(city) LIKE \(bind: pattern) \(LikePattern.escape)"
        let rows = try await db.sql.raw("""
            SELECT * FROM circles \(filter) ORDER BY name, id LIMIT \(literal: pageSize) OFFSET \(literal: (page - 1) * pageSize)
            """).all(decoding: CircleRecord.self)
        struct Count: Decodable { var n: Int }
        let total = try await db.sql.raw("SELECT COUNT(*) AS n FROM circles \(filter)").first(decoding: Count.self)?.n ?? 0
        return (rows, total)
    }

    static func role(of userID: UUID?, in circleID: UUID, on db: any Database) async throws -> CircleRole? {
        guard let userID else { return nil }
        struct Row: Decodable { var role: String }
        return try await db.sql.raw("SELECT role FROM circle_members WHERE circle_id = \(bind: circleID) AND user_id = \(bind: userID)")
            .first(decoding: Row.self).flatMap { CircleRole(rawValue: $0.role) }
    }

    static func requireOrganizer(_ user: User, of circle: CircleRecord, on db: any Database) async throws {
        if user.role == .admin { return }
        guard try await role(of: user.id, in: circle.id, on: db) == .organizer else { throw EventsError.notOrganizer }
    }

    static func members(of circleID: UUID, on db: any Database) async throws -> [CircleMemberRow] {
        try await db.sql.raw("""
            SELECT m.user_id, \(AccountsSQL.name(of: "m.user_id")) AS name, \(ProfilesSQL.slug(of: "m.user_id")) AS slug,
                \(ProfilesSQL.business(of: "m.user_id")) AS business, m.role, m.joined_at
            FROM circle_members m
            WHERE m.circle_id = \(bind: circleID)
            ORDER BY CASE WHEN m.role = 'organizer' THEN 0 ELSE 1 END, name, m.user_id
            """).all(decoding: CircleMemberRow.self)
    }


    /// The circle an event belongs to, if any.
    static func of(event: EventRecord, on db: any Database) async throws -> CircleRecord? {
        guard let circleID = event.circle_id else { return nil }
        return try await require(id: circleID, on: db)
    }

    /// The circles a member organizes.
    static func organized(by userID: UUID, on db: any Database) async throws -> Set<UUID> {
        struct Row: Decodable { var circle_id: UUID }
        return Set(try await db.sql.raw("""
            SELECT circle_id FROM circle_members WHERE user_id = \(bind: userID) AND role = 'organizer'
            """).all(decoding: Row.self).map(\.circle_id))
    }

    /// The circles a member belongs to, for their profile.
    static func of(_ userID: UUID, on db: any Database) async throws -> [CircleRecord] {
        try await db.sql.raw("""
            SELECT c.* FROM circles c JOIN circle_members m ON m.circle_id = c.id
            WHERE m.user_id = \(bind: userID) ORDER BY c.name
            """).all(decoding: CircleRecord.self)
    }

    static func join(_ circle: CircleRecord, _ userID: UUID, invitation token: String? = nil, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("""
                INSERT INTO circle_members (circle_id, user_id, role, joined_at)
                VALUES (\(bind: circle.id), \(bind: userID), \(bind: CircleRole.member.rawValue), \(bind: Date()))
                ON CONFLICT DO NOTHING
                """).run()
            try await recount(circle.id, on: db)
            if let token, !token.isEmpty, token.count <= 100 {
                try await db.sql.raw("""
                    UPDATE circle_invitations SET accepted_at = \(bind: Date())
                    WHERE token_hash = \(bind: SecureToken.hash(token)) AND circle_id = \(bind: circle.id) AND accepted_at IS NULL
                    """).run()
            }
        }
    }

    /// Anyone may leave, except the last organizer of a circle others still belong to: they hand the role on first.
    static func leave(_ circle: CircleRecord, _ userID: UUID, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("circle:\(circle.id)")
            guard let role = try await role(of: userID, in: circle.id, on: db) else { return }
            if role == .organizer, try await organizerCount(circle.id, on: db) == 1, try await memberCount(circle.id, on: db) > 1 {
                throw EventsError.lastOrganizer
            }
            try await db.sql.raw("DELETE FROM circle_members WHERE circle_id = \(bind: circle.id) AND user_id = \(bind: userID)").run()
            try await recount(circle.id, on: db)
        }
    }

    /// An organizer removes a member; the member is told why, and the removal is kept in the circle's log.
    static func remove(_ userID: UUID, from circle: CircleRecord, reason raw: String, by organizer: UUID, baseURL: String, on db: any Database) async throws {
        let reason = try EventRules.reason(raw).mapError { EventsError.invalid(field: $0.field, $0.message) }.get()
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("circle:\(circle.id)")
            guard let role = try await role(of: userID, in: circle.id, on: db) else { throw EventsError.notAMember }
            if role == .organizer, try await organizerCount(circle.id, on: db) == 1 { throw EventsError.lastOrganizer }
            try await db.sql.raw("DELETE FROM circle_members WHERE circle_id = \(bind: circle.id) AND user_id = \(bind: userID)").run()
            try await db.sql.raw("""
                INSERT INTO circle_removals (id, circle_id, user_id, removed_by, reason, removed_at)
                VALUES (\(bind: UUID()), \(bind: circle.id), \(bind: userID), \(bind: organizer), \(bind: reason), \(bind: Date()))
                """).run()
            try await recount(circle.id, on: db)
            try await Notifications.notify(userID, .circleChanged, .init(
                title: "You were removed from \(circle.name)", link: "/circles/\(circle.slug)",
                emailBody: "An organizer of \(circle.name) removed you from the circle. The reason they gave:\n\n\(reason)\n\nCircles on Guild are open: you can join again, or join another."),
                from: organizer, baseURL: baseURL, on: db)
        }
    }

    /// Makes a member an organizer; `stepDown` hands the role on (the giver stays a member).
    static func makeOrganizer(_ userID: UUID, of circle: CircleRecord, by giver: UUID, stepDown: Bool, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("circle:\(circle.id)")
            guard try await role(of: userID, in: circle.id, on: db) != nil else { throw EventsError.notAMember }
            try await db.sql.raw("""
                UPDATE circle_members SET role = 'organizer' WHERE circle_id = \(bind: circle.id) AND user_id = \(bind: userID)
                """).run()
            if stepDown, giver != userID {
                try await db.sql.raw("""
                    UPDATE circle_members SET role = 'member' WHERE circle_id = \(bind: circle.id) AND user_id = \(bind: giver)
                    """).run()
            }
            try await Notifications.notify(userID, .circleChanged, .init(
                title: "You are now an organizer of \(circle.name)", link: "/circles/\(circle.slug)",
                emailBody: "You can now plan events for \(circle.name), invite people and look after its members."),
                from: giver, baseURL: baseURL, on: db)
        }
    }

    static func recount(_ circleID: UUID, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE circles SET member_count = (SELECT COUNT(*) FROM circle_members WHERE circle_id = \(bind: circleID))
            WHERE id = \(bind: circleID)
            """).run()
    }

    private static func organizerCount(_ circleID: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM circle_members WHERE circle_id = \(bind: circleID) AND role = 'organizer'")
            .first(decoding: Row.self)?.n ?? 0
    }

    private static func memberCount(_ circleID: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM circle_members WHERE circle_id = \(bind: circleID)")
            .first(decoding: Row.self)?.n ?? 0
    }
}

extension Circles {
    /// The names of these circles, by id.
    static func names(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { var id: UUID; var name: String }
        return Dictionary(uniqueKeysWithValues: try await db.sql.raw("""
            SELECT id, name FROM circles WHERE id IN (\(SQLList(ids.map { SQLBind($0) })))
            """).all(decoding: Row.self).map { ($0.id, $0.name) })
    }
}

extension Circles {
    /// The organizers of every circle the member belongs to.
    static func organizers(of member: UUID, on db: any Database) async throws -> [UUID] {
        struct Row: Decodable { var id: UUID }
        return try await db.sql.raw("""
            SELECT DISTINCT o.user_id AS id FROM circle_members o JOIN circle_members m ON m.circle_id = o.circle_id
            WHERE m.user_id = \(bind: member) AND o.role = 'organizer'
            """).all(decoding: Row.self).map(\.id)
    }

    /// A table for another feature's query: one row per membership (`user_id`, `name`, `slug`, `circle`: the
    /// circle's name) of the circles `organizer` organizes, or of every circle when nil.
    static func membersSQL(organizedBy organizer: UUID?) -> SQLQueryString {
        let scope: SQLQueryString = organizer.map {
            "WHERE m.circle_id IN (SELECT circle_id FROM circle_members WHERE user_id = \(bind: $0) AND role = 'organizer')"
        } ?? ""
        return """
            (SELECT m.user_id, \(AccountsSQL.name(of: "m.user_id")) AS name, \(ProfilesSQL.slug(of: "m.user_id")) AS slug, c.name AS circle
             FROM circle_members m JOIN circles c ON c.id = m.circle_id \(scope))
            """
    }
}
