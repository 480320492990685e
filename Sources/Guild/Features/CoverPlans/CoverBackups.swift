import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

/// A backup relation as the pages and the API show it, from either side.
struct CoverBackupRow: Decodable, Sendable {
    var id: UUID
    var member_id: UUID
    var backup_id: UUID
    var member_name: String
    var backup_name: String
    var member_slug: String?
    var backup_slug: String?
    var niche_slug: String?
    var niche_name: String?
    var position: Int
    var status: String
    var message: String
    var created_at: Date
    var responded_at: Date?
    var ended_at: Date?

    var state: CoverBackups.Status { CoverBackups.Status(rawValue: status) ?? .ended }
    var scope: String { niche_name.map { "for \($0)" } ?? "in general" }
}

/// Backups by consent: a member asks, the other accepts or declines; either side can end it. Accepted
/// backups are kept in the member's order (first, second…), which is the order cover falls to them.
enum CoverBackups {
    enum Status: String, Sendable, Codable { case asked, accepted, declined, ended }

    /// Open requests and acceptances a member may have at once.
    static let maxOpen = 6
    static let maxMessage = 1_000
    /// Requests a member may send a day (each is a notification and an email to someone).
    static let asksPerDay = Throttle(limit: 20, window: 86_400)

    static let select: SQLQueryString = """
        SELECT b.id, b.member_id, b.backup_id, \(AccountsSQL.name(of: "b.member_id")) AS member_name,
            \(AccountsSQL.name(of: "b.backup_id")) AS backup_name, \(ProfilesSQL.slug(of: "b.member_id")) AS member_slug,
            \(ProfilesSQL.slug(of: "b.backup_id")) AS backup_slug, \(NichesSQL.slug(of: "b.niche_id")) AS niche_slug,
            \(NichesSQL.name(of: "b.niche_id")) AS niche_name, b.position, b.status, b.message,
            b.created_at, b.responded_at, b.ended_at
        FROM cover_backups b
        """

    /// Who covers the member: open requests and accepted backups in order, then the history.
    static func coveringMe(_ member: UUID, on db: any Database) async throws -> [CoverBackupRow] {
        try await db.sql.raw("""
            \(select) WHERE b.member_id = \(bind: member)
            ORDER BY CASE WHEN b.status IN ('asked', 'accepted') THEN 0 ELSE 1 END, b.position, b.created_at DESC LIMIT 50
            """).all(decoding: CoverBackupRow.self)
    }

    /// Whether anyone agreed to cover the member.
    static func hasAccepted(for member: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM cover_backups WHERE member_id = \(bind: member) AND status = 'accepted'
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }

    /// Whom the member covers (or was asked to).
    static func coveredByMe(_ backup: UUID, on db: any Database) async throws -> [CoverBackupRow] {
        try await db.sql.raw("""
            \(select) WHERE b.backup_id = \(bind: backup)
            ORDER BY CASE WHEN b.status = 'asked' THEN 0 WHEN b.status = 'accepted' THEN 1 ELSE 2 END, b.created_at DESC LIMIT 50
            """).all(decoding: CoverBackupRow.self)
    }

    static func find(_ id: UUID?, on db: any Database) async throws -> CoverBackupRow? {
        guard let id else { return nil }
        return try await db.sql.raw("\(select) WHERE b.id = \(bind: id)").first(decoding: CoverBackupRow.self)
    }

    /// The relation when the viewer is one of its two members; otherwise it does not exist for them.
    static func require(_ id: UUID?, viewer: UUID, on db: any Database) async throws -> CoverBackupRow {
        guard let row = try await find(id, on: db), row.member_id == viewer || row.backup_id == viewer else {
            throw CoverPlansError.backupNotFound
        }
        return row
    }

    /// Asks the member with the profile `slug` to be a backup, in general or for one of the asker's niches.
    static func ask(_ member: UUID, backupSlug slug: String, nicheSlug: String?, message raw: String,
                    baseURL: String, on db: any Database) async throws -> UUID {
        if let problem = TextRules.controlProblem(raw, what: "The message", multiline: true) { throw CoverPlansError.invalid(field: "message", problem) }
        let message = raw.trimmingWhitespace()
        guard raw.unicodeScalars.count <= maxMessage else {
            throw CoverPlansError.invalid(field: "message", "The message can be at most \(maxMessage) characters.")
        }
        if !message.isEmpty, let problem = TextRules.textProblem(message, what: "The message") {
            throw CoverPlansError.invalid(field: "message", problem)
        }
        guard let backup = try await OneToOnes.member(slug: slug.trimmingWhitespace(), on: db) else { throw CoverPlansError.memberNotFound }
        try await asksPerDay.consume("cover-ask:\(member)", on: db)
        guard backup.id != member else { throw CoverPlansError.conflict(field: "with", "Your backup is someone else: ask another member.") }
        var niche: UUID?
        if let nicheSlug = nicheSlug?.trimmingWhitespace(), !nicheSlug.isEmpty {
            niche = try await Profiles.niches(of: member, on: db).first { $0.slug == nicheSlug }?.id
            guard niche != nil else { throw CoverPlansError.conflict(field: "niche", "Pick one of the niches on your profile, or none for cover in general.") }
        }
        let id = UUID()
        let nicheID = niche
        try await db.writeTransaction { db in
            try await db.lock("cover-backups:\(member)")
            struct Open: Decodable { var backup_id: UUID; var position: Int }
            let open = try await db.sql.raw("""
                SELECT backup_id, position FROM cover_backups WHERE member_id = \(bind: member) AND status IN ('asked', 'accepted')
                """).all(decoding: Open.self)
            guard !open.contains(where: { $0.backup_id == backup.id }) else {
                throw CoverPlansError.conflict(field: "with", "\(backup.name) is already your backup, or has your request.")
            }
            guard open.count < maxOpen else {
                throw CoverPlansError.conflict(field: "with", "You can have \(maxOpen) backups and requests at once; end one first.")
            }
            let asker = try await People.byID([member], on: db)[member]
            try await db.sql.raw("""
                INSERT INTO cover_backups (id, member_id, backup_id, niche_id, position, status, message, created_at)
                VALUES (\(bind: id), \(bind: member), \(bind: backup.id), \(bind: nicheID), \(bind: (open.map(\.position).max() ?? 0) + 1),
                        'asked', \(bind: message), \(bind: Date()))
                """).run()
            let name = asker?.name ?? "A member"
            try await Notifications.notify(backup.id, .cover, .init(
                title: "\(name) asks you to be their backup", link: "/cover",
                emailBody: "\(name) asks you to be one of their backups on Guild: if they fall ill or something happens, "
                    + "you would be told, could read the minimum they wrote down (clients, duties), and do the absolute minimum "
                    + "so that nothing crashes. Nothing changes until you accept, and either of you can end it at any time."
                    + (message.isEmpty ? "" : "\n\nTheir message:\n\(message)")),
                from: member, baseURL: baseURL, on: db)
        }
        return id
    }

    /// The asked member accepts or declines.
    static func answer(_ id: UUID?, accept: Bool, by backup: UUID, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction { db in
            let row = try await require(id, viewer: backup, on: db)
            guard row.backup_id == backup else { throw CoverPlansError.notYourBackup }
            guard row.state == .asked else { throw CoverPlansError.alreadySettled }
            try await db.sql.raw("""
                UPDATE cover_backups SET status = \(bind: accept ? "accepted" : "declined"), responded_at = \(bind: Date())
                WHERE id = \(bind: row.id) AND status = 'asked'
                """).run()
            try await Notifications.notify(row.member_id, .cover, .init(
                title: accept ? "\(row.backup_name) is now your backup" : "\(row.backup_name) cannot be your backup",
                link: "/cover",
                emailBody: accept
                    ? "\(row.backup_name) accepted to be your backup \(row.scope). Keep your runbook current so they know what to do."
                    : "\(row.backup_name) said no this time. Ask another member you trust."),
                from: backup, baseURL: baseURL, on: db)
        }
    }

    /// Either side ends it (or withdraws an unanswered request); the other is told.
    static func end(_ id: UUID?, by user: UUID, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction { db in
            let row = try await require(id, viewer: user, on: db)
            guard row.state == .asked || row.state == .accepted else { throw CoverPlansError.alreadySettled }
            try await db.sql.raw("UPDATE cover_backups SET status = 'ended', ended_at = \(bind: Date()) WHERE id = \(bind: row.id)").run()
            let other = user == row.member_id ? row.backup_id : row.member_id
            let name = user == row.member_id ? row.member_name : row.backup_name
            try await Notifications.notify(other, .cover, .init(
                title: user == row.member_id ? "\(name) no longer needs you as a backup" : "\(name) is no longer your backup",
                link: "/cover", emailBody: "\(name) ended the backup arrangement \(row.scope). Nothing else changes."),
                from: user, baseURL: baseURL, on: db)
        }
    }

    /// Moves an open backup up or down the member's order (`position` is 1-based among the open ones).
    static func move(_ id: UUID?, to position: Int, by member: UUID, on db: any Database) async throws {
        try await db.writeTransaction { db in
            try await db.lock("cover-backups:\(member)")
            let row = try await require(id, viewer: member, on: db)
            guard row.member_id == member else { throw CoverPlansError.notAllowed }
            guard row.state == .asked || row.state == .accepted else { throw CoverPlansError.alreadySettled }
            struct Open: Decodable { var id: UUID }
            var order = try await db.sql.raw("""
                SELECT id FROM cover_backups WHERE member_id = \(bind: member) AND status IN ('asked', 'accepted') ORDER BY position, created_at
                """).all(decoding: Open.self).map(\.id)
            order.removeAll { $0 == row.id }
            order.insert(row.id, at: min(max(position, 1), order.count + 1) - 1)
            for (index, backup) in order.enumerated() {
                try await db.sql.raw("UPDATE cover_backups SET position = \(bind: index + 1) WHERE id = \(bind: backup)").run()
            }
        }
    }

    /// The member's accepted backups who can step in now, in order: not away themselves (under cover
    /// or marked away on their profile). Backups for `niche` come first when one is given.
    static func available(for member: UUID, niche: UUID? = nil, on db: any Database) async throws -> [UUID] {
        struct Row: Decodable { var backup_id: UUID; var niche_id: UUID?; var position: Int }
        let rows = try await db.sql.raw("""
            SELECT b.backup_id, b.niche_id, b.position FROM cover_backups b
            WHERE b.member_id = \(bind: member) AND b.status = 'accepted'
              AND NOT EXISTS (SELECT 1 FROM cover_activations a WHERE a.member_id = b.backup_id AND a.ended_at IS NULL)
              AND NOT \(ProfilesSQL.isAway("b.backup_id", at: Date()))
            ORDER BY b.position
            """).all(decoding: Row.self)
        let general = rows.filter { $0.niche_id == nil }.map(\.backup_id)
        guard let niche else { return general + rows.filter { $0.niche_id != nil }.map(\.backup_id) }
        return rows.filter { $0.niche_id == niche }.map(\.backup_id) + general
    }

    /// Whether `backup` has accepted to cover `member` (the runbook's first condition).
    static func isAccepted(_ backup: UUID, for member: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM cover_backups WHERE member_id = \(bind: member) AND backup_id = \(bind: backup) AND status = 'accepted'
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }
}

extension NicheLink {
    /// The niche a backup covers (none: everything).
    static let coverBackups = NicheLink(owner: "CoverPlans", table: "cover_backups", shape: .attribute)
}
