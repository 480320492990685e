import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

struct CoverActivationRow: Decodable, Sendable {
    var id: UUID
    var member_id: UUID
    var started_by: String
    var actor_id: UUID?
    var trusted_contact_id: UUID?
    var note: String
    var expected_back: Date?
    var started_at: Date
    var ended_at: Date?
    var ended_by: UUID?
    var clients_told: Int
    var nobody_available: Bool

    var isActive: Bool { ended_at == nil }
}

/// "I'm out": cover starts for a member, by the member, an organizer of one of their circles (or an
/// admin), or their trusted contact's link. Backups are told and may read the runbook while it lasts;
/// the member's message goes to their active clients; referrals and matches go to the first available
/// backup; follow-up reminders pause. "I'm back" ends it.
enum CoverActivations {
    enum Starter: Sendable {
        case member(UUID)
        case organizer(UUID)
        case trustedContact(id: UUID, name: String)

        var kind: String {
            switch self {
            case .member: "member"
            case .organizer: "organizer"
            case .trustedContact: "trusted_contact"
            }
        }

        var actor: UUID? {
            switch self {
            case .member(let id), .organizer(let id): id
            case .trustedContact: nil
            }
        }
    }

    static let maxNote = 1_000
    /// Starting a member's cover emails their backups and clients: three starts a day per member.
    static let startsPerDay = Throttle(limit: 3, window: 86_400)
    /// Covers an organizer (or admin) may switch on for other members a day.
    static let switchesPerDay = Throttle(limit: 3, window: 86_400)

    static func active(_ member: UUID, on db: any Database) async throws -> CoverActivationRow? {
        try await db.sql.raw("SELECT * FROM cover_activations WHERE member_id = \(bind: member) AND ended_at IS NULL")
            .first(decoding: CoverActivationRow.self)
    }

    static func find(_ id: UUID?, on db: any Database) async throws -> CoverActivationRow? {
        guard let id else { return nil }
        return try await db.sql.raw("SELECT * FROM cover_activations WHERE id = \(bind: id)").first(decoding: CoverActivationRow.self)
    }

    static func history(_ member: UUID, limit: Int = 20, on db: any Database) async throws -> [CoverActivationRow] {
        try await db.sql.raw("""
            SELECT * FROM cover_activations WHERE member_id = \(bind: member) ORDER BY started_at DESC LIMIT \(literal: limit)
            """).all(decoding: CoverActivationRow.self)
    }

    /// Members under cover now whom `backup` has accepted to cover.
    static func coveredNow(by backup: UUID, on db: any Database) async throws -> [CoverActivationRow] {
        try await db.sql.raw("""
            SELECT a.* FROM cover_activations a JOIN cover_backups b ON b.member_id = a.member_id
            WHERE b.backup_id = \(bind: backup) AND b.status = 'accepted' AND a.ended_at IS NULL ORDER BY a.started_at
            """).all(decoding: CoverActivationRow.self)
    }

    /// Whether `user` may start or end cover for `member`: the member, an admin, or an organizer of a
    /// circle of theirs whose organizers the member allowed to (`CoverSwitchConsents`, off by default:
    /// anyone can become an organizer by making a circle).
    static func mayAct(_ user: User, for member: UUID, on db: any Database) async throws -> Bool {
        let id = try user.requireID()
        if id == member || user.role == .admin { return true }
        return try await CoverSwitchConsents.allows(id, toSwitch: member, on: db)
    }

    static func validate(note raw: String, expectedBack: Date?, now: Date) throws -> String {
        if let problem = TextRules.controlProblem(raw, what: "The note", multiline: true) { throw CoverPlansError.invalid(field: "note", problem) }
        let note = raw.trimmingWhitespace()
        guard raw.unicodeScalars.count <= maxNote else { throw CoverPlansError.invalid(field: "note", "The note can be at most \(maxNote) characters.") }
        if !note.isEmpty, let problem = TextRules.textProblem(note, what: "The note") { throw CoverPlansError.invalid(field: "note", problem) }
        if let expectedBack {
            guard expectedBack > now.addingTimeInterval(-86_400), expectedBack < now.addingTimeInterval(2 * 366 * 86_400) else {
                throw CoverPlansError.conflict(field: "expectedBack", "Give a return date from today to two years ahead, or leave it empty.")
            }
        }
        return note
    }

    /// Starts cover; returns the activation's id.
    static func start(_ member: UUID, by starter: Starter, expectedBack: Date?, note raw: String, baseURL: String,
                      cipher: RunbookCipher?, on db: any Database, now: Date = Date()) async throws -> UUID {
        let note = try validate(note: raw, expectedBack: expectedBack, now: now)
        if case .organizer(let organizer) = starter {
            try await Throttle.consume([(startsPerDay, "cover-start:\(member)"), (switchesPerDay, "cover-switch:\(organizer)")], on: db, now: now)
        } else {
            try await startsPerDay.consume("cover-start:\(member)", on: db, now: now)
        }
        let id = UUID()
        try await db.writeTransaction { db in
            try await db.lock("cover:\(member)")
            guard try await active(member, on: db) == nil else { throw CoverPlansError.alreadyActive }
            let people = try await People.byID([member] + [starter.actor].compactMap { $0 }, on: db)
            guard let person = people[member] else { throw CoverPlansError.memberNotFound }
            let backups = try await CoverBackups.available(for: member, on: db)
            var document = RunbookDocument()
            if let cipher { document = (try? await Runbooks.load(member, cipher: cipher, on: db).0) ?? RunbookDocument() }
            let told = document.clientMessage.isEmpty ? [] : document.clients.filter { !$0.email.isEmpty }
            try await db.sql.raw("""
                INSERT INTO cover_activations (id, member_id, started_by, actor_id, trusted_contact_id, note, expected_back, started_at,
                    clients_told, nobody_available)
                VALUES (\(bind: id), \(bind: member), \(bind: starter.kind), \(bind: starter.actor),
                        \(bind: { if case .trustedContact(let contact, _) = starter { return contact } else { return nil as UUID? } }()),
                        \(bind: note), \(bind: expectedBack), \(bind: now), \(bind: told.count), \(bind: backups.isEmpty))
                """).run()
            let who: String = switch starter {
            case .member: person.name
            case .organizer(let organizer): people[organizer]?.name ?? "An organizer"
            case .trustedContact(_, let name): "\(name) (their trusted contact)"
            }
            try await log(member, activation: id, actor: starter.actor, label: who, kind: "started",
                          detail: "Cover started" + (expectedBack.map { ", back expected \(CalendarDay.string($0))" } ?? ""), on: db)
            let back = expectedBack.map { " They expect to be back on \(CalendarDay.string($0))." } ?? ""
            let noteLine = note.isEmpty ? "" : "\n\nThe note left with it:\n\(note)"
            for (index, backup) in backups.enumerated() {
                try await Notifications.notify(backup, .cover, .init(
                    title: "\(person.name) is out: you are covering" + (index == 0 ? " (first call)" : " (backup no. \(index + 1))"),
                    link: "/cover/for/\(member)",
                    emailBody: "\(who) switched on \(person.name)'s cover plan.\(back) Their runbook (clients, duties, where things live) "
                        + "is open to you while the cover lasts; please do the absolute minimum and log what you did, so they can pick up "
                        + "when they are back.\(noteLine)"),
                    from: starter.actor ?? member, baseURL: baseURL, on: db)
            }
            if starter.actor != member {
                try await Notifications.notify(member, .cover, .init(
                    title: "\(who) switched on your cover", link: "/cover",
                    emailBody: "\(who) switched on your cover plan. Your backups have been told. When you are back, say so on Guild.\(noteLine)"),
                    from: starter.actor, baseURL: baseURL, on: db)
            }
            if backups.isEmpty { try await tellOrganizers(member, name: person.name, baseURL: baseURL, on: db) }
            let memberEmail = try await Accounts.namesAndEmails([member], on: db)[member]?.email
            // Each client hears the message once per cover, and not again for a cover restarted within
            // a week; the member's daily budget caps how many (the policy drops the rest, cover goes on).
            var queued = 0
            for client in told {
                let sent = try await Outbox.enqueue(
                    to: client.email, subject: "A message from \(person.name)",
                    body: "Dear \(client.name),\n\n\(document.clientMessage)\n\n\(person.name)",
                    for: .onBehalf(of: member, vouch: .runbookClient, baseURL: baseURL),
                    fromName: person.name, replyTo: memberEmail, on: db)
                if sent { queued += 1 }
            }
            if queued != told.count {
                try await db.sql.raw("UPDATE cover_activations SET clients_told = \(bind: queued) WHERE id = \(bind: id)").run()
            }
        }
        return id
    }

    struct Email: Decodable { var email: String }

    /// Nobody can step in: the organizers of the member's circles are told (admins when they have none).
    static func tellOrganizers(_ member: UUID, name: String, baseURL: String, on db: any Database) async throws {
        struct Row: Decodable { var id: UUID }
        var organizers = try await Circles.organizers(of: member, on: db).filter { $0 != member }
        if organizers.isEmpty {
            organizers = try await Accounts.admins(on: db).filter { $0 != member }
        }
        for organizer in organizers {
            try await Notifications.notify(organizer, .cover, .init(
                title: "\(name) is out and nobody can cover", link: "/cover/circles",
                emailBody: "\(name)'s cover is on, but none of their backups can step in (none accepted, or all away). "
                    + "Could you find someone, or get in touch with them?"),
                from: member, baseURL: baseURL, on: db)
        }
    }

    /// "I'm back" (or an organizer ends it): everyone who was told hears it.
    static func end(_ member: UUID, by user: User, baseURL: String, on db: any Database) async throws -> UUID {
        let userID = try user.requireID()
        return try await db.writeTransaction { db in
            try await db.lock("cover:\(member)")
            guard let activation = try await active(member, on: db) else { throw CoverPlansError.notActive }
            try await db.sql.raw("""
                UPDATE cover_activations SET ended_at = \(bind: Date()), ended_by = \(bind: userID) WHERE id = \(bind: activation.id)
                """).run()
            let people = try await People.byID([member, userID], on: db)
            let name = people[member]?.name ?? "The member"
            try await log(member, activation: activation.id, actor: userID, label: people[userID]?.name ?? "", kind: "ended",
                          detail: "Cover ended", on: db)
            struct Row: Decodable { var backup_id: UUID }
            let backups = try await db.sql.raw("""
                SELECT backup_id FROM cover_backups WHERE member_id = \(bind: member) AND status = 'accepted'
                """).all(decoding: Row.self)
            for backup in backups.map(\.backup_id) where backup != userID {
                try await Notifications.notify(backup, .cover, .init(
                    title: "\(name) is back: cover has ended", link: "/cover/activations/\(activation.id)",
                    emailBody: "\(name) is back, so the cover has ended and their runbook is closed again. Thank you for standing by."),
                    from: userID, baseURL: baseURL, on: db)
            }
            if userID != member {
                try await Notifications.notify(member, .cover, .init(
                    title: "Your cover has ended", link: "/cover/activations/\(activation.id)",
                    emailBody: "\(people[userID]?.name ?? "An organizer") ended your cover. See what your backups did while you were out."),
                    from: userID, baseURL: baseURL, on: db)
            }
            return activation.id
        }
    }

    // MARK: the log

    struct LogRow: Decodable, Sendable {
        var actor_label: String
        var kind: String
        var detail: String
        var at: Date
    }

    static func log(_ member: UUID, activation: UUID?, actor: UUID?, label: String, kind: String, detail: String, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO cover_log (id, member_id, activation_id, actor_id, actor_label, kind, detail, at)
            VALUES (\(bind: UUID()), \(bind: member), \(bind: activation), \(bind: actor), \(bind: label), \(bind: kind), \(bind: detail), \(bind: Date()))
            """).run()
    }

    static func logEntries(_ member: UUID, activation: UUID? = nil, limit: Int = 200, on db: any Database) async throws -> [LogRow] {
        let filter: SQLQueryString = activation.map { "AND activation_id = \(bind: $0)" } ?? ""
        return try await db.sql.raw("""
            SELECT actor_label, kind, detail, at FROM cover_log WHERE member_id = \(bind: member) \(filter)
            ORDER BY at DESC LIMIT \(literal: limit)
            """).all(decoding: LogRow.self)
    }
}

extension CoverActivations {
    /// Every cover the member was ever under: when it started and ended (nil: still on).
    static func periods(of member: UUID, on db: any Database) async throws -> [(started: Date, ended: Date?)] {
        struct Row: Decodable { var started_at: Date; var ended_at: Date? }
        return try await db.sql.raw("SELECT started_at, ended_at FROM cover_activations WHERE member_id = \(bind: member)")
            .all(decoding: Row.self).map { ($0.started_at, $0.ended_at) }
    }

    /// A condition for another query: the member in `column` is under cover now.
    static func isActiveSQL(for column: String) -> SQLQueryString {
        "EXISTS (SELECT 1 FROM cover_activations a WHERE a.member_id = \(unsafeRaw: SQLColumnReference.checked(column)) AND a.ended_at IS NULL)"
    }
}
