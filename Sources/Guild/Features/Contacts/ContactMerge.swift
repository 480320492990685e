import Fluent
import Foundation
import SQLKit
import Validation
import Vapor

/// Twins in a member's contacts (the same email address, phone number or name) and merging two into one.
enum ContactMerge {
    struct Pair: Sendable, Encodable {
        var keepID: UUID
        var keepName: String
        var otherID: UUID
        var otherName: String
        var reason: String
    }

    /// Pairs that look like one person, at most 100: same email, same phone, or the same name ignoring case and accents.
    static func duplicates(of owner: UUID, on db: any Database) async throws -> [Pair] {
        struct Row: Decodable { var a: UUID; var a_name: String; var b: UUID; var b_name: String; var reason: String }
        let rows = try await db.sql.raw("""
            SELECT x.contact_id AS a, ca.name AS a_name, y.contact_id AS b, cb.name AS b_name, x.kind AS reason
            FROM contact_handles x JOIN contact_handles y
                ON y.owner_id = x.owner_id AND y.kind = x.kind AND y.normalized = x.normalized AND y.contact_id > x.contact_id
            JOIN contacts ca ON ca.id = x.contact_id JOIN contacts cb ON cb.id = y.contact_id
            WHERE x.owner_id = \(bind: owner)
            UNION
            SELECT a.id AS a, a.name AS a_name, b.id AS b, b.name AS b_name, 'name' AS reason
            FROM contacts a JOIN contacts b ON b.owner_id = a.owner_id AND b.sort_name = a.sort_name AND b.id > a.id
            WHERE a.owner_id = \(bind: owner)
            ORDER BY a_name, a LIMIT 300
            """).all(decoding: Row.self)
        var seen = Set<String>()
        var pairs: [Pair] = []
        for row in rows where seen.insert("\(row.a)\(row.b)").inserted {
            let reason = switch row.reason {
            case "email": "the same email address"
            case "phone": "the same phone number"
            default: "the same name"
            }
            pairs.append(.init(keepID: row.a, keepName: row.a_name, otherID: row.b, otherName: row.b_name, reason: reason))
        }
        return Array(pairs.prefix(100))
    }

    /// `base` with what `other` adds: empty fields filled, addresses and tags joined, notes appended.
    static func combine(_ base: ContactFields, _ other: ContactFields) -> ContactFields {
        var merged = base
        if merged.business.isEmpty { merged.business = other.business }
        if merged.website.isEmpty { merged.website = other.website }
        if merged.met.isEmpty { merged.met = other.met } else if !other.met.isEmpty, other.met != merged.met { merged.met += "; " + other.met }
        if !other.notes.isEmpty, !merged.notes.contains(other.notes) {
            merged.notes = merged.notes.isEmpty ? other.notes : merged.notes + "\n\n" + other.notes
        }
        for email in other.emails where !merged.emails.contains(where: { $0.value.lowercased() == email.value.lowercased() }) {
            merged.emails.append(email)
        }
        for phone in other.phones where !merged.phones.contains(where: { ContactRules.phoneKey($0.value) == ContactRules.phoneKey(phone.value) }) {
            merged.phones.append(phone)
        }
        for tag in other.tags where !merged.tags.contains(where: { $0.lowercased() == tag.lowercased() }) { merged.tags.append(tag) }
        merged.emails = Array(merged.emails.prefix(ContactRules.maxHandles))
        merged.phones = Array(merged.phones.prefix(ContactRules.maxHandles))
        merged.tags = Array(merged.tags.prefix(ContactRules.maxTags))
        if merged.notes.unicodeScalars.count > ContactRules.maxNotes { merged.notes = String(merged.notes.unicodeScalars.prefix(ContactRules.maxNotes)) }
        return merged
    }

    /// Merges `other` into `keep`: the kept contact takes the chosen name, business and website, both
    /// contacts' addresses, tags, niches and notes, and every follow-up, touch and email of the other,
    /// which is then deleted. One transaction: both contacts are the member's, or nothing changes.
    static func merge(keep keepID: UUID, other otherID: UUID, name: String?, business: String?, website: String?,
                      owner: UUID, on db: any Database) async throws {
        guard keepID != otherID else { throw ContactsError.sameContact }
        try await db.writeTransaction(reportingGeneration: false) { db in
            let keep = try await Contacts.require(keepID, owner: owner, on: db)
            let other = try await Contacts.require(otherID, owner: owner, on: db)
            let handles = try await Contacts.handles(of: [keepID, otherID], on: db)
            let tags = try await Contacts.tags(of: [keepID, otherID], on: db)
            var merged = combine(Contacts.fields(of: keep, handles: handles[keepID] ?? [], tags: tags[keepID] ?? []),
                                 Contacts.fields(of: other, handles: handles[otherID] ?? [], tags: tags[otherID] ?? []))
            // The side-by-side page picks each of these from either contact.
            if let name, [keep.name, other.name].contains(name) { merged.name = name }
            if let business, [keep.business, other.business].contains(business) { merged.business = business }
            if let website, [keep.website, other.website].contains(website) { merged.website = website }
            let niches = try await db.sql.raw("""
                SELECT DISTINCT niche_id FROM contact_niches WHERE contact_id IN (\(bind: keepID), \(bind: otherID))
                """).all(decoding: ContactImport.NicheID.self).map(\.niche_id)
            for table in ["followups", "contact_touches", "contact_emails"] {
                try await db.sql.raw("UPDATE \(unsafeRaw: table) SET contact_id = \(bind: keepID) WHERE contact_id = \(bind: otherID)").run()
            }
            let lastTouch = [keep.last_touch_at, other.last_touch_at].compactMap { $0 }.max()
            let lastReply = [keep.last_reply_at, other.last_reply_at].compactMap { $0 }.max()
            try await db.sql.raw("DELETE FROM contacts WHERE id = \(bind: otherID)").run()
            try await db.sql.raw("""
                UPDATE contacts SET name = \(bind: merged.name), sort_name = \(bind: Contacts.sortKey(merged.name)), business = \(bind: merged.business),
                    website = \(bind: merged.website), met = \(bind: merged.met), notes = \(bind: merged.notes),
                    member_id = \(bind: keep.member_id ?? other.member_id), last_touch_at = \(bind: lastTouch), last_reply_at = \(bind: lastReply),
                    updated_at = \(bind: Date())
                WHERE id = \(bind: keepID)
                """).run()
            try await Contacts.writeParts(of: keepID, merged, niches: niches, owner: owner, on: db)
        }
    }
}
