import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

/// The absolute minimum a backup needs to keep a member's world turning: active clients, recurring
/// duties with plain steps, where things live, an emergency contact, and a message for clients.
/// Stored sealed as one JSON document per member (`RunbookCipher`); never holds a secret.
struct RunbookDocument: Codable, Sendable, Equatable {
    struct Client: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var email: String
        var phone: String
        var inProgress: String
        /// `YYYY-MM-DD`, or empty.
        var deadline: String
        var mustHear: String
    }

    struct Duty: Codable, Sendable, Equatable {
        var id: String
        var title: String
        var when: String
        var steps: String
    }

    var clients: [Client] = []
    var duties: [Duty] = []
    var whereThingsLive = ""
    var emergencyContact = ""
    /// Sent to every active client with an email address when cover starts (empty: nothing is sent).
    var clientMessage = ""

    var isEmpty: Bool { self == RunbookDocument() }

    static let maxItems = 100
    static let limits: [String: Int] = [
        "name": 120, "email": 254, "phone": 40, "inProgress": 2_000, "deadline": 10, "mustHear": 2_000,
        "title": 200, "when": 200, "steps": 4_000, "whereThingsLive": 8_000, "emergencyContact": 1_000, "clientMessage": 4_000,
    ]

    /// Trimmed and checked: lengths, controls, dates, emails, and secrets in any field. Errors name the
    /// field as the API spells it (`clients[2].steps` in a whole document; `steps` in one item's form).
    func validated(prefixing: Bool = true) throws -> RunbookDocument {
        var copy = self
        guard clients.count <= Self.maxItems else { throw CoverPlansError.invalid(field: "clients", "A runbook holds at most \(Self.maxItems) clients.") }
        guard duties.count <= Self.maxItems else { throw CoverPlansError.invalid(field: "duties", "A runbook holds at most \(Self.maxItems) duties.") }
        for index in copy.clients.indices {
            copy.clients[index] = try Self.checked(copy.clients[index], at: prefixing ? "clients[\(index)]." : "")
        }
        for index in copy.duties.indices {
            copy.duties[index] = try Self.checked(copy.duties[index], at: prefixing ? "duties[\(index)]." : "")
        }
        copy.whereThingsLive = try Self.text(whereThingsLive, "whereThingsLive", "Where things live", multiline: true)
        copy.emergencyContact = try Self.text(emergencyContact, "emergencyContact", "The emergency contact", multiline: true)
        copy.clientMessage = try Self.text(clientMessage, "clientMessage", "The message to clients", multiline: true)
        // An id given twice keeps its first item; a repeat gets an id of its own, as a new item would.
        var seen = Set<String>()
        for index in copy.clients.indices where !seen.insert(copy.clients[index].id).inserted {
            copy.clients[index].id = UUID().uuidString.lowercased()
        }
        for index in copy.duties.indices where !seen.insert(copy.duties[index].id).inserted {
            copy.duties[index].id = UUID().uuidString.lowercased()
        }
        return copy
    }

    static func checked(_ client: Client, at prefix: String) throws -> Client {
        var client = client
        client.id = try id(client.id, prefix)
        client.name = try text(client.name, prefix + "name", "The client's name", multiline: false)
        guard !client.name.isEmpty else { throw CoverPlansError.invalid(field: prefix + "name", "Give the client's name.") }
        client.email = try text(client.email, prefix + "email", "The email", multiline: false).lowercased()
        if !client.email.isEmpty, !EmailAddress.isValid(client.email) {
            throw CoverPlansError.invalid(field: prefix + "email", "Enter a valid email address for the client, or leave it empty.")
        }
        client.phone = try text(client.phone, prefix + "phone", "The phone number", multiline: false)
        client.inProgress = try text(client.inProgress, prefix + "inProgress", "What is in progress", multiline: true)
        client.deadline = try text(client.deadline, prefix + "deadline", "The deadline", multiline: false)
        if !client.deadline.isEmpty, CalendarDay.parse(client.deadline) == nil {
            throw CoverPlansError.invalid(field: prefix + "deadline", "Write the deadline as YYYY-MM-DD, or leave it empty.")
        }
        client.mustHear = try text(client.mustHear, prefix + "mustHear", "What the client must hear", multiline: true)
        return client
    }

    static func checked(_ duty: Duty, at prefix: String) throws -> Duty {
        var duty = duty
        duty.id = try id(duty.id, prefix)
        duty.title = try text(duty.title, prefix + "title", "The duty", multiline: false)
        guard !duty.title.isEmpty else { throw CoverPlansError.invalid(field: prefix + "title", "Say what the duty is, e.g. “Send the Thursday newsletter”.") }
        duty.when = try text(duty.when, prefix + "when", "When it is due", multiline: false)
        duty.steps = try text(duty.steps, prefix + "steps", "The steps", multiline: true)
        return duty
    }

    static func id(_ raw: String, _ prefix: String) throws -> String {
        let id = raw.trimmingWhitespace()
        if id.isEmpty { return UUID().uuidString.lowercased() }
        guard id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw CoverPlansError.invalid(field: prefix + "id", "An id is up to 64 letters, digits and dashes (leave it empty for a new one).")
        }
        return id
    }

    /// One field: trimmed, within its limit, no hidden characters, no secrets.
    static func text(_ raw: String, _ field: String, _ what: String, multiline: Bool) throws -> String {
        if let problem = TextRules.controlProblem(raw.replacingOccurrences(of: "\r\n", with: "\n"), what: what, multiline: multiline) {
            throw CoverPlansError.invalid(field: field, problem)
        }
        let key = String(field.split(separator: ".").last ?? Substring(field))
        let limit = limits[key] ?? 2_000
        // Counted as sent, as the API document's maxLength counts: spaces that trimming drops count too.
        guard raw.unicodeScalars.count <= limit else { throw CoverPlansError.invalid(field: field, "\(what) can be at most \(limit) characters.") }
        let value = raw.replacingOccurrences(of: "\r\n", with: "\n").trimmingWhitespace()
        guard !value.isEmpty else { return value }
        if let problem = multiline ? TextRules.textProblem(value, what: what) : TextRules.lineProblem(value, what: what) {
            throw CoverPlansError.invalid(field: field, problem)
        }
        if let problem = SecretScan.problem(value, what: what) { throw CoverPlansError.invalid(field: field, problem) }
        return value
    }
}

/// Reading and writing sealed runbooks. Who may read is decided by `CoverAccess`; every read by
/// someone other than the member is logged for the member to see.
enum Runbooks {
    struct Row: Decodable { var key_id: String; var sealed: String; var version: Int }

    static func cipher(_ app: Application) throws -> RunbookCipher {
        guard let cipher = app.runbookCipher else { throw CoverPlansError.noKey }
        return cipher
    }

    static func load(_ member: UUID, cipher: RunbookCipher, on db: any Database) async throws -> (RunbookDocument, version: Int) {
        guard let row = try await db.sql.raw("SELECT key_id, sealed, version FROM runbooks WHERE member_id = \(bind: member)")
            .first(decoding: Row.self) else { return (RunbookDocument(), 0) }
        let plain = try cipher.open(.init(keyID: row.key_id, text: row.sealed), member: member)
        return (try JSONDecoder().decode(RunbookDocument.self, from: plain), row.version)
    }

    /// Replaces the member's runbook with a checked document; returns the stored one.
    @discardableResult
    static func save(_ document: RunbookDocument, member: UUID, cipher: RunbookCipher, on db: any Database) async throws -> RunbookDocument {
        let document = try document.validated()
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await write(document, member: member, cipher: cipher, on: db)
        }
        return document
    }

    /// Changes the stored runbook with `change` in one transaction (the web forms edit one item at a time).
    @discardableResult
    static func update(_ member: UUID, cipher: RunbookCipher, on db: any Database,
                       _ change: @escaping @Sendable (inout RunbookDocument) throws -> Void) async throws -> RunbookDocument {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("runbook:\(member)")
            var (document, _) = try await load(member, cipher: cipher, on: db)
            try change(&document)
            let checked = try document.validated(prefixing: false)
            try await write(checked, member: member, cipher: cipher, on: db)
            return checked
        }
    }

    static func write(_ document: RunbookDocument, member: UUID, cipher: RunbookCipher, on db: any Database) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let sealed = try cipher.seal(try encoder.encode(document), member: member)
        try await db.sql.raw("""
            INSERT INTO runbooks (member_id, key_id, sealed, version, updated_at)
            VALUES (\(bind: member), \(bind: sealed.keyID), \(bind: sealed.text), 1, \(bind: Date()))
            ON CONFLICT (member_id) DO UPDATE SET key_id = EXCLUDED.key_id, sealed = EXCLUDED.sealed,
                version = runbooks.version + 1, updated_at = EXCLUDED.updated_at
            """).run()
    }

    static func updatedAt(_ member: UUID, on db: any Database) async throws -> Date? {
        struct Row: Decodable { var updated_at: Date }
        return try await db.sql.raw("SELECT updated_at FROM runbooks WHERE member_id = \(bind: member)").first(decoding: Row.self)?.updated_at
    }

    /// Re-seals every runbook not sealed with the current key; returns how many it re-sealed.
    static func rotate(cipher: RunbookCipher, on db: any Database) async throws -> Int {
        struct Stale: Decodable { var member_id: UUID }
        var count = 0
        while true {
            let batch = try await db.sql.raw("""
                SELECT member_id FROM runbooks WHERE key_id <> \(bind: cipher.keys.currentID) ORDER BY member_id LIMIT 100
                """).all(decoding: Stale.self)
            if batch.isEmpty { return count }
            for stale in batch {
                try await db.writeTransaction(reportingGeneration: false) { db in
                    try await db.lock("runbook:\(stale.member_id)")
                    guard let row = try await db.sql.raw("SELECT key_id, sealed, version FROM runbooks WHERE member_id = \(bind: stale.member_id)")
                        .first(decoding: Row.self), row.key_id != cipher.keys.currentID else { return }
                    let plain = try cipher.open(.init(keyID: row.key_id, text: row.sealed), member: stale.member_id)
                    let sealed = try cipher.seal(plain, member: stale.member_id)
                    try await db.sql.raw("""
                        UPDATE runbooks SET key_id = \(bind: sealed.keyID), sealed = \(bind: sealed.text) WHERE member_id = \(bind: stale.member_id)
                        """).run()
                }
                count += 1
            }
        }
    }

    /// Key ids of stored runbooks, for the start-up check.
    static func keyIDs(on db: any Database) async throws -> Set<String> {
        struct Row: Decodable { var key_id: String }
        return Set(try await db.sql.raw("SELECT DISTINCT key_id FROM runbooks").all(decoding: Row.self).map(\.key_id))
    }
}
