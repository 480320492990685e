import Fluent
import Foundation
import Habits
import SQLKit
import Validation

struct PartnerRow: Decodable, Sendable {
    var id: UUID
    var member_id: UUID
    var partner_id: UUID
    var member_name: String
    var partner_name: String
    var member_slug: String?
    var partner_slug: String?
    var status: String
    var message: String
    var created_at: Date
}

/// An accountability partner: a member asks another, who accepts or declines; once accepted the
/// partner sees the member's disciplines (not the other way round unless they ask too) and can cheer
/// once a day. Either side ends it. One open request or partner per member.
enum DisciplinePartners {
    static let maxMessage = 500
    static let asksPerDay = Throttle(limit: 10, window: 86_400)

    static let select: SQLQueryString = """
        SELECT x.id, x.member_id, x.partner_id, \(AccountsSQL.name(of: "x.member_id")) AS member_name,
            \(AccountsSQL.name(of: "x.partner_id")) AS partner_name, \(ProfilesSQL.slug(of: "x.member_id")) AS member_slug,
            \(ProfilesSQL.slug(of: "x.partner_id")) AS partner_slug, x.status, x.message, x.created_at
        FROM discipline_partners x
        """

    /// The member's own open request or partner.
    static func mine(_ member: UUID, on db: any Database) async throws -> PartnerRow? {
        try await db.sql.raw("\(select) WHERE x.member_id = \(bind: member) AND x.status IN ('asked', 'accepted')").first(decoding: PartnerRow.self)
    }

    /// Both sides at once: the member's own open request or partner, and the members who asked them.
    static func both(_ member: UUID, on db: any Database) async throws -> [PartnerRow] {
        try await db.sql.raw("""
            \(select) WHERE (x.member_id = \(bind: member) OR x.partner_id = \(bind: member)) AND x.status IN ('asked', 'accepted')
            ORDER BY x.status, member_name
            """).all(decoding: PartnerRow.self)
    }

    /// Whether `viewer` may see `member`'s disciplines: the member, or their accepted partner. Nobody
    /// else, organizers and admins included.
    static func maySee(_ member: UUID, viewer: UUID?, on db: any Database) async throws -> Bool {
        guard let viewer else { return false }
        if viewer == member { return true }
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM discipline_partners WHERE member_id = \(bind: member) AND partner_id = \(bind: viewer) AND status = 'accepted'
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }

    static func ask(_ member: UUID, partnerSlug slug: String, message raw: String, baseURL: String, on db: any Database) async throws -> UUID {
        func fail(_ field: String, _ message: String) -> DisciplinesError { .invalid(field: field, message) }
        if let problem = TextRules.controlProblem(raw, what: "The message", multiline: true) { throw fail("message", problem) }
        guard raw.count <= maxMessage else { throw fail("message", "The message can be at most \(maxMessage) characters.") }
        let message = raw.trimmingWhitespace()
        guard slug.count <= 300, let partner = try await OneToOnes.member(slug: slug.trimmingWhitespace(), on: db) else {
            throw fail("with", "There is no member with that profile; paste their profile's address.")
        }
        guard partner.id != member else { throw DisciplinesError.conflict(field: "with", "Your partner is someone else: ask another member.") }
        try await asksPerDay.consume("discipline-partner:\(member)", on: db)
        let id = UUID()
        try await db.writeTransaction(reportingGeneration: false) { db in
            guard try await mine(member, on: db) == nil else {
                throw DisciplinesError.conflict(field: "with", "You already have a partner or an open request; end it first.")
            }
            try await db.sql.raw("""
                INSERT INTO discipline_partners (id, member_id, partner_id, status, message, created_at)
                VALUES (\(bind: id), \(bind: member), \(bind: partner.id), 'asked', \(bind: message), \(bind: Date()))
                """).run()
            let name = try await People.byID([member], on: db)[member]?.name ?? "A member"
            try await Notifications.notify(partner.id, .disciplines, .init(
                title: "\(name) asks you to be their accountability partner", link: "/disciplines",
                emailBody: "\(name) asks you to keep them honest: you would see their disciplines (what they do every day "
                    + "or week, their streaks and results) and could cheer them on with one tap. Nothing is shared until you accept."
                    + (message.isEmpty ? "" : "\n\nTheir message:\n\(message)")),
                from: member, baseURL: baseURL, on: db)
        }
        return id
    }

    static func find(_ id: UUID?, viewer: UUID, on db: any Database) async throws -> PartnerRow {
        guard let id, let row = try await db.sql.raw("\(select) WHERE x.id = \(bind: id)").first(decoding: PartnerRow.self),
              row.member_id == viewer || row.partner_id == viewer else { throw DisciplinesError.partnerNotFound }
        return row
    }

    static func answer(_ id: UUID?, accept: Bool, by partner: UUID, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            let row = try await find(id, viewer: partner, on: db)
            guard row.partner_id == partner else { throw DisciplinesError.notYourPartner }
            guard row.status == "asked" else { throw DisciplinesError.alreadySettled }
            try await db.sql.raw("""
                UPDATE discipline_partners SET status = \(bind: accept ? "accepted" : "declined"), responded_at = \(bind: Date())
                WHERE id = \(bind: row.id) AND status = 'asked'
                """).run()
            try await Notifications.notify(row.member_id, .disciplines, .init(
                title: accept ? "\(row.partner_name) is now your accountability partner" : "\(row.partner_name) cannot be your partner",
                link: "/disciplines",
                emailBody: accept ? "\(row.partner_name) accepted: they now see your disciplines and can cheer you on."
                    : "\(row.partner_name) said no this time. Ask another member."),
                from: partner, baseURL: baseURL, on: db)
        }
    }

    static func end(_ id: UUID?, by user: UUID, on db: any Database) async throws {
        let row = try await find(id, viewer: user, on: db)
        guard row.status == "asked" || row.status == "accepted" else { throw DisciplinesError.alreadySettled }
        try await db.sql.raw("UPDATE discipline_partners SET status = 'ended', ended_at = \(bind: Date()) WHERE id = \(bind: row.id)").run()
    }

    /// One cheer a day from a partner; the member is told. Returns false when already cheered today.
    @discardableResult
    static func cheer(_ member: UUID, from partner: UUID, baseURL: String, on db: any Database) async throws -> Bool {
        guard partner != member, try await maySee(member, viewer: partner, on: db) else { throw DisciplinesError.memberNotFound }
        let today = try await Disciplines.today(of: member, on: db)
        return try await db.writeTransaction(reportingGeneration: false) { db in
            struct Row: Decodable { var day: String }
            guard try await db.sql.raw("""
                INSERT INTO discipline_cheers (member_id, partner_id, day, created_at) VALUES (\(bind: member), \(bind: partner), \(bind: today.iso), \(bind: Date()))
                ON CONFLICT (member_id, partner_id, day) DO NOTHING RETURNING day
                """).first(decoding: Row.self) != nil else { return false }
            let name = try await People.byID([partner], on: db)[partner]?.name ?? "Your partner"
            try await Notifications.notify(member, .disciplines, .init(
                title: "\(name) cheers you on", link: "/disciplines",
                emailBody: "\(name) saw your disciplines today and sent a cheer. Keep going."),
                from: partner, baseURL: baseURL, on: db)
            return true
        }
    }

    /// Cheers received in the days from `since` (the member's days).
    static func cheers(_ member: UUID, since: Day, on db: any Database) async throws -> [(name: String, day: String)] {
        struct Row: Decodable { var name: String; var day: String }
        return try await db.sql.raw("""
            SELECT \(AccountsSQL.name(of: "c.partner_id")) AS name, c.day FROM discipline_cheers c
            WHERE c.member_id = \(bind: member) AND c.day >= \(bind: since.iso) ORDER BY c.day DESC LIMIT 20
            """).all(decoding: Row.self).map { ($0.name, $0.day) }
    }
}
