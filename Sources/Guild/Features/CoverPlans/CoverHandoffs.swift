import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

struct CoverHandoffRow: Decodable, Sendable {
    var id: UUID
    var activation_id: UUID
    var backup_id: UUID?
    var backup_name: String?
    var item: String
    var item_label: String
    var note: String
    var at: Date
}

/// What backups did while a member was out (per client or duty), who read the runbook, and the thanks
/// the member sends when back ("covered for N members" on the backup's profile).
enum CoverHandoffs {
    static let maxNote = 4_000

    /// The runbook as a backup may read it: only an accepted backup, only while cover is on. Each read is logged.
    static func readRunbook(of member: UUID, by backup: UUID, cipher: RunbookCipher, on db: any Database) async throws
        -> (RunbookDocument, CoverActivationRow) {
        guard try await CoverBackups.isAccepted(backup, for: member, on: db),
              let activation = try await CoverActivations.active(member, on: db), !switchedOnBy(backup, activation) else {
            throw CoverPlansError.runbookLocked
        }
        let (document, _) = try await Runbooks.load(member, cipher: cipher, on: db)
        let name = try await People.byID([backup], on: db)[backup]?.name ?? "A backup"
        try await CoverActivations.log(member, activation: activation.id, actor: backup, label: name, kind: "runbook_read",
                                       detail: "Read the runbook", on: db)
        return (document, activation)
    }

    /// A backup logs what they did, for one client or duty of the runbook (`item`: its id) or in general.
    static func record(for member: UUID, by backup: UUID, item: String, note raw: String, cipher: RunbookCipher?,
                       on db: any Database) async throws -> UUID {
        if let problem = TextRules.controlProblem(raw, what: "The note", multiline: true) { throw CoverPlansError.invalid(field: "note", problem) }
        let note = raw.trimmingWhitespace()
        guard !note.isEmpty, raw.unicodeScalars.count <= maxNote else {
            throw CoverPlansError.invalid(field: "note", "Say what you did, up to \(maxNote) characters.")
        }
        if let problem = TextRules.textProblem(note, what: "The note") { throw CoverPlansError.invalid(field: "note", problem) }
        if let problem = SecretScan.problem(note, what: "The note") { throw CoverPlansError.invalid(field: "note", problem) }
        guard try await CoverBackups.isAccepted(backup, for: member, on: db),
              let activation = try await CoverActivations.active(member, on: db), !switchedOnBy(backup, activation) else {
            throw CoverPlansError.runbookLocked
        }
        var label = "General"
        let itemID = item.trimmingWhitespace()
        if !itemID.isEmpty {
            guard let cipher else { throw CoverPlansError.noKey }
            let (document, _) = try await Runbooks.load(member, cipher: cipher, on: db)
            if let client = document.clients.first(where: { $0.id == itemID }) {
                label = "Client: \(client.name)"
            } else if let duty = document.duties.first(where: { $0.id == itemID }) {
                label = "Duty: \(duty.title)"
            } else {
                throw CoverPlansError.conflict(field: "item", "Pick one of the runbook's clients or duties, or none.")
            }
        }
        // A client's name is runbook data: sealed like the runbook, under the member's key.
        let stored = label == "General" ? label : try sealedLabel(label, member: member, cipher: cipher)
        let id = UUID()
        try await db.sql.raw("""
            INSERT INTO cover_handoffs (id, activation_id, backup_id, item, item_label, note, at)
            VALUES (\(bind: id), \(bind: activation.id), \(bind: backup), \(bind: itemID), \(bind: stored), \(bind: note), \(bind: Date()))
            """).run()
        return id
    }

    /// An organizer who switched the cover on never reads the runbook through it, backup or not:
    /// switching someone's cover on must not be a way into their clients.
    static func switchedOnBy(_ backup: UUID, _ activation: CoverActivationRow) -> Bool {
        activation.started_by == CoverActivations.Starter.organizer(backup).kind && activation.actor_id == backup
    }

    static let sealedPrefix = "sealed:"

    static func sealedLabel(_ label: String, member: UUID, cipher: RunbookCipher?) throws -> String {
        guard let cipher else { throw CoverPlansError.noKey }
        let sealed = try cipher.seal(Data(label.utf8), member: member)
        return sealedPrefix + sealed.keyID + ":" + sealed.text
    }

    /// A stored label as people read it: opened with the member's key ("Client (sealed)" without it).
    static func openedLabel(_ stored: String, member: UUID, cipher: RunbookCipher?) -> String {
        guard stored.hasPrefix(sealedPrefix) else { return stored }
        let parts = stored.dropFirst(sealedPrefix.count).split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let cipher,
              let data = try? cipher.open(.init(keyID: String(parts[0]), text: String(parts[1])), member: member) else { return "Client (sealed)" }
        return String(decoding: data, as: UTF8.self)
    }

    static func list(_ activation: UUID, cipher: RunbookCipher?, on db: any Database) async throws -> [CoverHandoffRow] {
        struct Row: Decodable { var member_id: UUID }
        let member = try await db.sql.raw("SELECT member_id FROM cover_activations WHERE id = \(bind: activation)").first(decoding: Row.self)?.member_id
        return try await db.sql.raw("""
            SELECT h.id, h.activation_id, h.backup_id, \(AccountsSQL.name(of: "h.backup_id")) AS backup_name, h.item, h.item_label, h.note, h.at
            FROM cover_handoffs h
            WHERE h.activation_id = \(bind: activation) ORDER BY h.at
            """).all(decoding: CoverHandoffRow.self).map { row in
                var row = row
                if let member { row.item_label = openedLabel(row.item_label, member: member, cipher: cipher) }
                return row
            }
    }

    /// An activation as its member, or one of the member's accepted backups, may see it.
    static func visible(_ id: UUID?, to viewer: UUID, on db: any Database) async throws -> CoverActivationRow {
        guard let activation = try await CoverActivations.find(id, on: db) else { throw CoverPlansError.activationNotFound }
        if activation.member_id == viewer { return activation }
        guard try await backedUp(viewer, during: activation, on: db) else { throw CoverPlansError.activationNotFound }
        return activation
    }

    /// Whether `backup` had accepted to cover the member during this activation: still accepted, or
    /// accepted once and ended only after it started.
    static func backedUp(_ backup: UUID, during activation: CoverActivationRow, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM cover_backups WHERE member_id = \(bind: activation.member_id) AND backup_id = \(bind: backup)
              AND responded_at IS NOT NULL AND (status = 'accepted' OR (status = 'ended' AND ended_at > \(bind: activation.started_at)))
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }

    // MARK: thanks

    struct ThanksRow: Decodable, Sendable { var backup_id: UUID; var message: String; var at: Date }

    static func thanks(_ activation: UUID, on db: any Database) async throws -> [ThanksRow] {
        try await db.sql.raw("SELECT backup_id, message, at FROM cover_thanks WHERE activation_id = \(bind: activation)")
            .all(decoding: ThanksRow.self)
    }

    /// The member thanks a backup for an ended cover; shown on the backup's profile as a count.
    static func thank(_ activationID: UUID?, backup: UUID, message raw: String, by member: UUID, baseURL: String, on db: any Database) async throws {
        if let problem = TextRules.controlProblem(raw, what: "The thank-you", multiline: true) { throw CoverPlansError.invalid(field: "message", problem) }
        let message = raw.trimmingWhitespace()
        guard raw.unicodeScalars.count <= 1_000 else { throw CoverPlansError.invalid(field: "message", "A thank-you can be at most 1,000 characters.") }
        if !message.isEmpty, let problem = TextRules.textProblem(message, what: "The thank-you") { throw CoverPlansError.invalid(field: "message", problem) }
        guard let activation = try await CoverActivations.find(activationID, on: db), activation.member_id == member else {
            throw CoverPlansError.activationNotFound
        }
        guard !activation.isActive else { throw CoverPlansError.conflict(field: "backup", "Say thank you once you are back.") }
        guard try await backedUp(backup, during: activation, on: db) else { throw CoverPlansError.conflict(field: "backup", "Thank one of the backups who covered you.") }
        try await db.writeTransaction { db in
            try await db.sql.raw("""
                INSERT INTO cover_thanks (activation_id, backup_id, member_id, message, at)
                VALUES (\(bind: activation.id), \(bind: backup), \(bind: member), \(bind: message), \(bind: Date()))
                ON CONFLICT (activation_id, backup_id) DO UPDATE SET message = EXCLUDED.message
                """).run()
            let name = try await People.byID([member], on: db)[member]?.name ?? "A member"
            try await Notifications.notify(backup, .cover, .init(
                title: "\(name) thanks you for covering", link: "/cover/activations/\(activation.id)",
                emailBody: "\(name) is back and thanks you for covering." + (message.isEmpty ? "" : "\n\n\(message)")),
                from: member, baseURL: baseURL, on: db)
        }
    }

    /// How many members a backup has covered and been thanked by.
    static func coveredCount(_ backup: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("SELECT COUNT(DISTINCT member_id) AS n FROM cover_thanks WHERE backup_id = \(bind: backup)")
            .first(decoding: Row.self)?.n ?? 0
    }
}
