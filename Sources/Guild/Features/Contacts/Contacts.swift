import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

/// A contact as stored; every read names its owner, so another member's contact is simply not there.
struct ContactRecord: Decodable, Sendable {
    var id: UUID
    var name: String
    var business: String
    var website: String
    var met: String
    var notes: String
    var member_id: UUID?
    var last_touch_at: Date?
    var last_reply_at: Date?
    var created_at: Date
    var updated_at: Date
}

struct ContactHandleRecord: Decodable, Sendable {
    var contact_id: UUID
    var kind: String
    var value: String
    var types: String
}

/// What a member types for a contact, before it is checked: the fields, niche names and, optionally,
/// the profile slug of the Guild member this contact is.
struct ContactDraft: Sendable {
    var fields: ContactFields
    var niches: [String] = []
    var memberSlug: String? = nil
    /// The JSON API: values checked exactly as sent (see `ContactRules.validate`).
    var strict = false
}

/// The private address book: contacts, their addresses, tags and niches. Nobody but the owner reads
/// or writes them, organizers and admins included (an admin deletes an account, not its contacts).
enum Contacts {
    static let pageSize = 50

    /// Checks the draft: the fields' rules, niche names that exist, a member profile that exists.
    static func validated(_ draft: ContactDraft, on db: any Database) async throws -> (ContactFields, [NicheResolver.Resolved], UUID?) {
        let fields = try ContactRules.validate(draft.fields, strict: draft.strict).mapError { ContactsError.invalid(field: $0.field, $0.message) }.get()
        guard draft.niches.count <= 10 else { throw ContactsError.invalid(field: "niches", "A contact can have at most 10 niches.") }
        if draft.strict, draft.niches.contains(where: { $0.trimmingWhitespace().isEmpty || $0.unicodeScalars.count > 100 }) {
            throw ContactsError.invalid(field: "niches", "Each niche is a name of 1 to 100 characters.")
        }
        let typed = draft.niches.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        let niches = try await NicheResolver.tags(typed, on: db).mapError { ContactsError.unknownNiche($0.name) }.get()
        var memberID: UUID?
        if let slug = draft.memberSlug?.trimmingWhitespace(), !slug.isEmpty {
            guard slug.count <= 100, let member = try await Profiles.userID(slug: slug, on: db) else {
                throw ContactsError.unknownMember(slug)
            }
            memberID = member
        }
        return (fields, niches, memberID)
    }

    static func create(_ draft: ContactDraft, owner: UUID, on db: any Database) async throws -> UUID {
        let (fields, niches, memberID) = try await validated(draft, on: db)
        let id = UUID()
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await insert(id: id, fields, niches: niches.map(\.id), memberID: memberID, owner: owner, at: Date(), on: db)
        }
        return id
    }

    /// The insert itself, inside the caller's transaction (create, import, merge).
    static func insert(id: UUID, _ fields: ContactFields, niches: [UUID], memberID: UUID?, owner: UUID, at now: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO contacts (id, owner_id, name, sort_name, business, website, met, notes, member_id, created_at, updated_at)
            VALUES (\(bind: id), \(bind: owner), \(bind: fields.name), \(bind: sortKey(fields.name)), \(bind: fields.business),
                    \(bind: fields.website), \(bind: fields.met), \(bind: fields.notes), \(bind: memberID), \(bind: now), \(bind: now))
            """).run()
        try await writeParts(of: id, fields, niches: niches, owner: owner, on: db)
    }

    /// Replaces the contact's addresses, tags and niches.
    static func writeParts(of id: UUID, _ fields: ContactFields, niches: [UUID], owner: UUID, on db: any Database) async throws {
        for table in ["contact_handles", "contact_tags", "contact_niches"] {
            try await db.sql.raw("DELETE FROM \(unsafeRaw: table) WHERE contact_id = \(bind: id)").run()
        }
        let handles = fields.emails.enumerated().map { ("email", $0, $1, $1.value.lowercased()) }
            + fields.phones.enumerated().map { ("phone", $0, $1, ContactRules.phoneKey($1.value) ?? $1.value) }
        if !handles.isEmpty {
            let rows = handles.map { kind, position, handle, normalized in
                SQLQueryString("(\(bind: id), \(bind: owner), \(bind: kind), \(literal: position), \(bind: handle.value), \(bind: normalized), \(bind: handle.types.joined(separator: ",")))")
            }
            try await db.sql.raw("""
                INSERT INTO contact_handles (contact_id, owner_id, kind, position, value, normalized, types) VALUES \(rows.joined(separator: ", "))
                """).run()
        }
        if !fields.tags.isEmpty {
            let rows = fields.tags.map { SQLQueryString("(\(bind: id), \(bind: owner), \(bind: $0))") }
            try await db.sql.raw("INSERT INTO contact_tags (contact_id, owner_id, tag) VALUES \(rows.joined(separator: ", "))").run()
        }
        for niche in niches {
            try await db.sql.raw("INSERT INTO contact_niches (contact_id, niche_id) VALUES (\(bind: id), \(bind: niche))").run()
        }
    }

    static func update(_ id: UUID, _ draft: ContactDraft, owner: UUID, on db: any Database) async throws {
        let (fields, niches, memberID) = try await validated(draft, on: db)
        try await db.writeTransaction(reportingGeneration: false) { db in
            struct Row: Decodable { var id: UUID }
            guard try await db.sql.raw("""
                UPDATE contacts SET name = \(bind: fields.name), sort_name = \(bind: sortKey(fields.name)), business = \(bind: fields.business),
                    website = \(bind: fields.website), met = \(bind: fields.met), notes = \(bind: fields.notes), member_id = \(bind: memberID),
                    updated_at = \(bind: Date())
                WHERE id = \(bind: id) AND owner_id = \(bind: owner) RETURNING id
                """).first(decoding: Row.self) != nil else { throw ContactsError.notFound }
            try await writeParts(of: id, fields, niches: niches.map(\.id), owner: owner, on: db)
        }
    }

    static func delete(_ id: UUID, owner: UUID, on db: any Database) async throws {
        struct Row: Decodable { var id: UUID }
        guard try await db.sql.raw("DELETE FROM contacts WHERE id = \(bind: id) AND owner_id = \(bind: owner) RETURNING id")
            .first(decoding: Row.self) != nil else { throw ContactsError.notFound }
    }

    static func find(_ id: UUID, owner: UUID, on db: any Database) async throws -> ContactRecord? {
        try await db.sql.raw("""
            SELECT id, name, business, website, met, notes, member_id, last_touch_at, last_reply_at, created_at, updated_at
            FROM contacts WHERE id = \(bind: id) AND owner_id = \(bind: owner)
            """).first(decoding: ContactRecord.self)
    }

    /// Several of the owner's contacts in one read (a page of the list API).
    static func records(_ ids: [UUID], owner: UUID, on db: any Database) async throws -> [UUID: ContactRecord] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT id, name, business, website, met, notes, member_id, last_touch_at, last_reply_at, created_at, updated_at
            FROM contacts WHERE owner_id = \(bind: owner) AND id IN (\(binds: ids))
            """).all(decoding: ContactRecord.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }

    static func require(_ id: UUID?, owner: UUID, on db: any Database) async throws -> ContactRecord {
        guard let id, let record = try await find(id, owner: owner, on: db) else { throw ContactsError.notFound }
        return record
    }

    /// Names sort without case or accents ("Émile" beside "Emma").
    static func sortKey(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// The addresses among `emails` that are on one of the owner's contacts (lower-cased): whom the
    /// member vouches for when Guild emails someone outside it for them.
    static func knownEmails(_ emails: [String], owner: UUID, on db: any Database) async throws -> Set<String> {
        guard !emails.isEmpty else { return [] }
        struct Row: Decodable { var normalized: String }
        let wanted = emails.map { $0.lowercased() }
        return Set(try await db.sql.raw("""
            SELECT normalized FROM contact_handles WHERE owner_id = \(bind: owner) AND kind = 'email' AND normalized IN (\(binds: wanted))
            """).all(decoding: Row.self).map(\.normalized))
    }

    static func handles(of ids: [UUID], on db: any Database) async throws -> [UUID: [ContactHandleRecord]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT contact_id, kind, value, types FROM contact_handles WHERE contact_id IN (\(binds: ids)) ORDER BY contact_id, kind, position
            """).all(decoding: ContactHandleRecord.self)
        return Dictionary(grouping: rows, by: \.contact_id)
    }

    static func tags(of ids: [UUID], on db: any Database) async throws -> [UUID: [String]] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { var contact_id: UUID; var tag: String }
        let rows = try await db.sql.raw("SELECT contact_id, tag FROM contact_tags WHERE contact_id IN (\(binds: ids)) ORDER BY tag")
            .all(decoding: Row.self)
        return Dictionary(grouping: rows, by: \.contact_id).mapValues { $0.map(\.tag) }
    }

    static func niches(of ids: [UUID], on db: any Database) async throws -> [UUID: [NicheTag]] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Decodable { var contact_id: UUID; var slug: String; var name: String }
        let rows = try await db.sql.raw("""
            SELECT cn.contact_id, \(NichesSQL.slug(of: "cn.niche_id")) AS slug, \(NichesSQL.name(of: "cn.niche_id")) AS name
            FROM contact_niches cn WHERE cn.contact_id IN (\(binds: ids)) ORDER BY name
            """).all(decoding: Row.self)
        return Dictionary(grouping: rows, by: \.contact_id).mapValues { $0.map { NicheTag(slug: $0.slug, name: $0.name) } }
    }

    /// The contact's fields as they were saved, for an edit form, an export or a merge.
    static func fields(of record: ContactRecord, handles: [ContactHandleRecord], tags: [String]) -> ContactFields {
        func typed(_ kind: String) -> [ContactFields.Handle] {
            handles.filter { $0.kind == kind }.map { .init($0.value, types: $0.types.split(separator: ",").map(String.init)) }
        }
        return ContactFields(name: record.name, business: record.business, emails: typed("email"), phones: typed("phone"),
                             website: record.website, met: record.met, notes: record.notes, tags: tags)
    }

    /// A Guild member whose account email is one of this contact's addresses, for "is this … on Guild?";
    /// only one the owner already knows on Guild (a referral or a one-to-one between them). An account's
    /// email is private: importing guessed addresses must not reveal who uses Guild with which address.
    static func memberSuggestion(for emails: [String], owner: UUID, on db: any Database) async throws -> (slug: String, name: String)? {
        guard !emails.isEmpty else { return nil }
        let people = try await People.byID(try await Accounts.ids(withEmails: emails.map { $0.lowercased() }, on: db), on: db)
        let rows = people.values.compactMap { person in person.slug.map { (id: person.id, slug: $0, name: person.name) } }
            .sorted { ($0.name, $0.id.uuidString) < ($1.name, $1.id.uuidString) }.prefix(5)
        for row in rows where row.id != owner {
            if try await Referrals.exchanged(owner, row.id, on: db) { return (row.slug, row.name) }
            if try await OneToOnes.exchanged(owner, row.id, on: db) { return (row.slug, row.name) }
        }
        return nil
    }
}

extension NicheLink {
    /// The niches a member files a contact under.
    static let contactNiches = NicheLink(owner: "Contacts", table: "contact_niches", shape: .set(key: "contact_id"))
}

extension Contacts {
    /// The owner's contact for a member they met at an event: the existing one (its "met at" filled in
    /// if empty, the event remembered if none was), or a new one with these fields. Returns its id.
    static func metAtEvent(_ eventID: UUID, label: String, member: UUID, fields: ContactFields, memberSlug: String?,
                           owner: UUID, on db: any Database) async throws -> UUID {
        struct Existing: Decodable { var id: UUID }
        if let existing = try await db.sql.raw("""
            SELECT id FROM contacts WHERE owner_id = \(bind: owner) AND member_id = \(bind: member) ORDER BY created_at LIMIT 1
            """).first(decoding: Existing.self) {
            try await db.sql.raw("""
                UPDATE contacts SET met_event_id = COALESCE(met_event_id, \(bind: eventID)),
                    met = CASE WHEN met = '' THEN \(bind: label) ELSE met END
                WHERE id = \(bind: existing.id)
                """).run()
            return existing.id
        }
        let id = try await create(ContactDraft(fields: fields, memberSlug: memberSlug), owner: owner, on: db)
        try await db.sql.raw("UPDATE contacts SET met_event_id = \(bind: eventID) WHERE id = \(bind: id)").run()
        return id
    }
}

extension Contacts {
    /// A table for the discipline board: one row per email the member sent a contact since `start`
    /// (`at`: when, `flag`: answered).
    static func emailsSentSQL(by member: UUID, since start: Date) -> SQLQueryString {
        """
        (SELECT sent_at AS at, answered_at IS NOT NULL AS flag FROM contact_emails
         WHERE owner_id = \(bind: member) AND sent_at >= \(bind: start))
        """
    }
}
