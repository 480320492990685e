import Fluent
import Formats
import Foundation
import SQLKit
import Validation
import Vapor

/// Cards from a vCard or CSV file into a member's contacts. A card whose email address (or, from a
/// Guild export, whose UID) is already a contact fills in that contact instead of making a twin; a card
/// that breaks a rule is reported by its position and the rest are imported. Parsing and checking run
/// on the bulk threads (`BulkExecutor`), and the cards are written in transactions of `batch`, so a 10 MB file never
/// holds an event loop or the database's write lock for long; each batch is whole or not at all, and
/// importing the same file again fills in rather than doubles. A member keeps at most `maxContacts`.
enum ContactImport {
    static let maxContacts = 50_000
    static let batch = 500

    struct Report: Sendable, Encodable {
        var created = 0
        var updated = 0
        var problems: [Problem] = []

        struct Problem: Sendable, Encodable {
            var position: Int
            var line: Int
            var reason: String
            var text: String { "card \(position) (line \(line)): \(reason)" }
        }
    }

    static func fields(_ card: ContactCard) -> ContactFields {
        ContactFields(name: card.name, business: card.business, emails: card.emails, phones: card.phones, website: card.website, met: "",
                      notes: card.notes, tags: card.tags)
    }

    /// Checks the cards, then writes them batch by batch, all on the bulk thread: the Swift work between
    /// the queries (a batch's rows and bind values, 132,000 refusals past the cap, their sort) kept an
    /// event loop at a full core for 12 s of a 10 MB import, and `/ping` behind it.
    static func run(_ cards: [ContactCard], problems: [ContactProblem], owner: UUID, cap: Int = maxContacts,
                    on db: any Database) async throws -> Report {
        try await BulkExecutor.run { try await write(cards, problems: problems, owner: owner, cap: cap, on: db) }
    }

    private static func write(_ cards: [ContactCard], problems: [ContactProblem], owner: UUID, cap: Int,
                              on db: any Database) async throws -> Report {
        let (checked, initial) = check(cards, problems: problems)
        var report = initial
        struct Known: Decodable { var contact_id: UUID; var normalized: String }
        var byEmail: [String: UUID] = [:]
        for row in try await db.sql.raw("""
            SELECT contact_id, normalized FROM contact_handles WHERE owner_id = \(bind: owner) AND kind = 'email'
            """).all(decoding: Known.self) { byEmail[row.normalized] = row.contact_id }
        struct Own: Decodable { var id: UUID }
        let ownIDs = Set(try await db.sql.raw("SELECT id FROM contacts WHERE owner_id = \(bind: owner)").all(decoding: Own.self).map(\.id))
        var room = cap - ownIDs.count
        // Formatted once: for each of 130,000 refused cards it built an ICU formatter on the event loop.
        let overCap = "over the limit of \(cap.formatted()) contacts a member keeps; not imported"
        for start in stride(from: 0, to: checked.count, by: batch) {
            let part = Array(checked[start..<min(start + batch, checked.count)])
            var fresh: [(UUID, ContactFields)] = [], existing: [(UUID, ContactFields)] = []
            for (position, card, fields) in part {
                if let known = UUID(uuidString: card.uid).flatMap({ ownIDs.contains($0) ? $0 : nil })
                    ?? fields.emails.lazy.compactMap({ byEmail[$0.value.lowercased()] }).first {
                    existing.append((known, fields))
                } else if room > 0 {
                    let id = UUID()
                    fresh.append((id, fields))
                    room -= 1
                    for email in fields.emails { byEmail[email.value.lowercased()] = id }
                } else {
                    report.problems.append(.init(position: position, line: card.line,
                                                 reason: overCap))
                }
            }
            let writes = (fresh, existing)
            // Fluent runs a connection's body in a task of its own, which does not keep the bulk
            // threads as its preference: ask for them again, or the batch is built on an event loop.
            try await db.writeTransaction(reportingGeneration: false) { db in
                try await BulkExecutor.run {
                    for (id, fields) in writes.1 { try await fillIn(id, with: fields, owner: owner, on: db) }
                    try await insertMany(writes.0, owner: owner, at: Date(), on: db)
                }
            }
            report.created += fresh.count
            report.updated += existing.count
            // Let the requests waiting behind this import in.
            await Task.yield()
        }
        report.problems.sort { $0.position < $1.position }
        // A 10 MB file of broken cards would answer with megabytes of reasons: the first ones say what is wrong.
        if report.problems.count > maxProblemsListed {
            let more = report.problems.count - maxProblemsListed
            report.problems = Array(report.problems.prefix(maxProblemsListed))
                + [.init(position: 0, line: 0, reason: "and \(more.formatted()) more cards not imported for the same kinds of reason")]
        }
        return report
    }

    static let maxProblemsListed = 500

    /// The cards that pass the rules, each with its position in the file, and the report of the rest.
    static func check(_ cards: [ContactCard], problems: [ContactProblem]) -> ([(Int, ContactCard, ContactFields)], Report) {
        var report = Report(problems: problems.map { .init(position: $0.position, line: $0.line, reason: $0.reason) })
        // Position of each card in its file, for messages: the parsers keep the order.
        var positions: [Int] = []
        var next = 1
        let skipped = Set(problems.map(\.position))
        for _ in cards {
            while skipped.contains(next) { next += 1 }
            positions.append(next)
            next += 1
        }
        var checked: [(Int, ContactCard, ContactFields)] = []
        for (index, card) in cards.enumerated() {
            switch ContactRules.validate(fields(card)) {
            case .success(let fields): checked.append((positions[index], card, fields))
            case .failure(let problem): report.problems.append(.init(position: positions[index], line: card.line, reason: problem.message))
            }
        }
        return (checked, report)
    }

    /// New contacts in multi-row inserts of 100 (about 1,000 bind values: on PostgreSQL the connection's event
    /// loop copies each statement to the wire in one go, so a bigger one holds `/ping` longer).
    static func insertMany(_ contacts: [(UUID, ContactFields)], owner: UUID, at now: Date, on db: any Database) async throws {
        for chunk in stride(from: 0, to: contacts.count, by: 100).map({ contacts[$0..<min($0 + 100, contacts.count)] }) {
            let rows = chunk.map { id, f in
                SQLQueryString("""
                    (\(bind: id), \(bind: owner), \(bind: f.name), \(bind: Contacts.sortKey(f.name)), \(bind: f.business), \(bind: f.website),
                     \(bind: f.met), \(bind: f.notes), \(bind: now), \(bind: now))
                    """)
            }
            try await db.sql.raw("""
                INSERT INTO contacts (id, owner_id, name, sort_name, business, website, met, notes, created_at, updated_at)
                VALUES \(rows.joined(separator: ", "))
                """).run()
            let handles = chunk.flatMap { id, f in
                f.emails.enumerated().map { SQLQueryString("(\(bind: id), \(bind: owner), 'email', \(literal: $0), \(bind: $1.value), \(bind: $1.value.lowercased()), \(bind: $1.types.joined(separator: ",")))") }
                    + f.phones.enumerated().map { SQLQueryString("(\(bind: id), \(bind: owner), 'phone', \(literal: $0), \(bind: $1.value), \(bind: ContactRules.phoneKey($1.value) ?? $1.value), \(bind: $1.types.joined(separator: ",")))") }
            }
            for part in stride(from: 0, to: handles.count, by: 200).map({ handles[$0..<min($0 + 200, handles.count)] }) {
                try await db.sql.raw("""
                    INSERT INTO contact_handles (contact_id, owner_id, kind, position, value, normalized, types) VALUES \(part.joined(separator: ", "))
                    """).run()
            }
            let tags = chunk.flatMap { id, f in f.tags.map { SQLQueryString("(\(bind: id), \(bind: owner), \(bind: $0))") } }
            for part in stride(from: 0, to: tags.count, by: 200).map({ tags[$0..<min($0 + 200, tags.count)] }) {
                try await db.sql.raw("INSERT INTO contact_tags (contact_id, owner_id, tag) VALUES \(part.joined(separator: ", "))").run()
            }
        }
    }

    /// Adds what the card knows and the contact does not: empty fields, new addresses, new tags, notes appended.
    static func fillIn(_ id: UUID, with card: ContactFields, owner: UUID, on db: any Database) async throws {
        guard let record = try await Contacts.find(id, owner: owner, on: db) else { return }
        let handles = try await Contacts.handles(of: [id], on: db)[id] ?? []
        let tags = try await Contacts.tags(of: [id], on: db)[id] ?? []
        let niches = try await db.sql.raw("SELECT niche_id FROM contact_niches WHERE contact_id = \(bind: id)")
            .all(decoding: NicheID.self).map(\.niche_id)
        let merged = ContactMerge.combine(Contacts.fields(of: record, handles: handles, tags: tags), card)
        try await db.sql.raw("""
            UPDATE contacts SET business = \(bind: merged.business), website = \(bind: merged.website), notes = \(bind: merged.notes),
                updated_at = \(bind: Date()) WHERE id = \(bind: id)
            """).run()
        try await Contacts.writeParts(of: id, merged, niches: niches, owner: owner, on: db)
    }

    struct NicheID: Decodable { var niche_id: UUID }

    /// Every contact of the member as vCard cards, in name order, with the contact's id as UID.
    static func export(_ owner: UUID, on db: any Database) async throws -> [ContactCard] {
        var cards: [ContactCard] = []
        try await pages(owner, on: db) { cards += $0 }
        return cards
    }

    /// The member's cards a thousand at a time, in name order (keyset, so each page is one index read).
    static func pages(_ owner: UUID, on db: any Database, _ page: ([ContactCard]) async throws -> Void) async throws {
        struct Row: Decodable { var id: UUID; var name: String; var sort_name: String; var business: String; var website: String; var notes: String }
        var after: (String, UUID)?
        while true {
            let from: SQLQueryString = after.map { "AND (sort_name > \(bind: $0.0) OR (sort_name = \(bind: $0.0) AND id > \(bind: $0.1)))" } ?? ""
            let rows = try await db.sql.raw("""
                SELECT id, name, sort_name, business, website, notes FROM contacts WHERE owner_id = \(bind: owner) \(from)
                ORDER BY sort_name, id LIMIT 1000
                """).all(decoding: Row.self)
            guard let last = rows.last else { return }
            let ids = rows.map(\.id)
            let handles = try await Contacts.handles(of: ids, on: db)
            let tags = try await Contacts.tags(of: ids, on: db)
            try await page(rows.map { row in
                let own = handles[row.id] ?? []
                return ContactCard(
                    name: row.name, business: row.business,
                    emails: own.filter { $0.kind == "email" }.map { .init($0.value, types: $0.types.split(separator: ",").map(String.init)) },
                    phones: own.filter { $0.kind == "phone" }.map { .init($0.value, types: $0.types.split(separator: ",").map(String.init)) },
                    website: row.website, notes: row.notes, tags: tags[row.id] ?? [], uid: row.id.uuidString)
            })
            if rows.count < 1000 { return }
            after = (last.sort_name, last.id)
        }
    }

    /// A streamed vCard download: a thousand cards are written at a time and never the whole file held.
    static func streamedResponse(_ owner: UUID, version: VCard.Version, on req: Request) -> Response {
        let db = req.db
        let response = Response(status: .ok, headers: [
            "Content-Type": "text/vcard; charset=utf-8", "Content-Disposition": "attachment; filename=\"guild-contacts.vcf\"",
            "Cache-Control": "private, no-store",
        ], body: .init(asyncStream: { writer in
            do {
                try await pages(owner, on: db) { cards in
                    try await writer.write(.buffer(ByteBuffer(string: VCard.write(cards, version: version))))
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        }))
        return response
    }
}
