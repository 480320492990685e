import Fluent
import Foundation
import SQLKit
import Vapor

/// One row of the contact list: a small decodable read, 50 at a time, from the (owner, sort name) index.
struct ContactListRow: Decodable, Sendable {
    var id: UUID
    var name: String
    var business: String
    var member_id: UUID?
    var last_touch_at: Date?
    var last_reply_at: Date?
    var created_at: Date
    var email: String?
    var phone: String?
    var next_due: String?
}

enum ContactList {
    struct Filter: Sendable {
        var query = ""
        var tag = ""
        var cooling = false
        var limit = Contacts.pageSize
        var offset = 0
        /// Keyset paging (the pages): the contacts after, or before, this one in name order. A deep
        /// page costs what the first does, where `OFFSET 4950` made PostgreSQL walk 4,950 rows.
        var after: UUID? = nil
        var before: UUID? = nil
    }

    static func rows(of owner: UUID, _ filter: Filter, on db: any Database) async throws -> [ContactListRow] {
        var conditions: [SQLQueryString] = ["c.owner_id = \(bind: owner)"]
        let query = filter.query.trimmingWhitespace()
        if !query.isEmpty {
            let like = LikePattern.containing(Contacts.sortKey(query)), handle = LikePattern.containing(query.lowercased())
            let escape = LikePattern.escape
            conditions.append("""
                (c.sort_name LIKE \(bind: like) \(escape) OR LOWER(c.business) LIKE \(bind: handle) \(escape)
                 OR c.id IN (SELECT h.contact_id FROM contact_handles h WHERE h.owner_id = \(bind: owner) AND h.normalized LIKE \(bind: handle) \(escape)))
                """)
        }
        if !filter.tag.isEmpty {
            conditions.append("c.id IN (SELECT t.contact_id FROM contact_tags t WHERE t.owner_id = \(bind: owner) AND t.tag = \(bind: filter.tag))")
        }
        if filter.cooling {
            // A first cut in SQL (no touch for the shortest cooling period the member set); the exact rule per tag is applied by the caller.
            let settings = try await ContactSettings.load(owner, on: db)
            let cutoff = Date().addingTimeInterval(-Double(settings.shortestCooling) * 86_400)
            conditions.append("COALESCE(c.last_touch_at, c.created_at) < \(bind: cutoff)")
        }
        let backwards = filter.before != nil && filter.after == nil
        if let anchor = filter.after ?? filter.before {
            struct Key: Decodable { var sort_name: String }
            if let key = try await db.sql.raw("SELECT sort_name FROM contacts WHERE id = \(bind: anchor) AND owner_id = \(bind: owner)")
                .first(decoding: Key.self) {
                conditions.append(backwards
                    ? "(c.sort_name < \(bind: key.sort_name) OR (c.sort_name = \(bind: key.sort_name) AND c.id < \(bind: anchor)))"
                    : "(c.sort_name > \(bind: key.sort_name) OR (c.sort_name = \(bind: key.sort_name) AND c.id > \(bind: anchor)))")
            }
        }
        let order: SQLQueryString = backwards ? "c.sort_name DESC, c.id DESC" : "c.sort_name, c.id"
        let rows = try await db.sql.raw("""
            SELECT c.id, c.name, c.business, c.member_id, c.last_touch_at, c.last_reply_at, c.created_at,
                (SELECT h.value FROM contact_handles h WHERE h.contact_id = c.id AND h.kind = 'email' ORDER BY h.position LIMIT 1) AS email,
                (SELECT h.value FROM contact_handles h WHERE h.contact_id = c.id AND h.kind = 'phone' ORDER BY h.position LIMIT 1) AS phone,
                (SELECT MIN(COALESCE(f.snoozed_until, f.due_on)) FROM followups f WHERE f.contact_id = c.id AND f.done_at IS NULL) AS next_due
            FROM contacts c WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order) LIMIT \(literal: filter.limit) OFFSET \(literal: filter.offset)
            """).all(decoding: ContactListRow.self)
        return rows
    }

    static func count(of owner: UUID, on db: any Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        // Kept by the database on every write (migration 031): one row, not a count of every contact.
        return try await db.sql.raw("SELECT n FROM contact_counts WHERE owner_id = \(bind: owner)").first(decoding: Row.self)?.n ?? 0
    }

    /// The member's tags with how many contacts carry each, for the filter (kept like the count).
    static func tagCounts(of owner: UUID, on db: any Database) async throws -> [(tag: String, count: Int)] {
        struct Row: Decodable { var tag: String; var n: Int }
        return try await db.sql.raw("""
            SELECT tag, n FROM contact_tag_counts WHERE owner_id = \(bind: owner) ORDER BY tag LIMIT 200
            """).all(decoding: Row.self).map { ($0.tag, $0.n) }
    }
}

/// A member's contact settings: where replies come back, and after how many days without a touch a
/// contact shows as cooling (per tag, or the member's default, 60).
struct ContactSettings: Sendable {
    static let defaultCooling = 60

    var replyDomain: String?
    var cooling: Int = ContactSettings.defaultCooling
    var coolingByTag: [String: Int] = [:]

    var shortestCooling: Int { ([cooling] + Array(coolingByTag.values)).min() ?? cooling }

    /// Days without a touch before a contact with these tags cools: the shortest period among its tags, else the default.
    func coolingDays(tags: [String]) -> Int {
        tags.compactMap { coolingByTag[$0.lowercased()] }.min() ?? cooling
    }

    static func load(_ owner: UUID, on db: any Database) async throws -> ContactSettings {
        struct Row: Decodable { var reply_domain: String?; var cooling_days: Int }
        struct Tag: Decodable { var tag: String; var days: Int }
        var settings = ContactSettings()
        if let row = try await db.sql.raw("SELECT reply_domain, cooling_days FROM contact_settings WHERE user_id = \(bind: owner)")
            .first(decoding: Row.self) {
            settings.replyDomain = row.reply_domain
            settings.cooling = row.cooling_days
        }
        for tag in try await db.sql.raw("SELECT tag, days FROM contact_tag_cooling WHERE user_id = \(bind: owner)").all(decoding: Tag.self) {
            settings.coolingByTag[tag.tag] = tag.days
        }
        return settings
    }

    /// Saves the settings; cooling days are 1 to 3650, tags compared without case.
    static func save(_ settings: ContactSettings, for owner: UUID, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("""
                INSERT INTO contact_settings (user_id, reply_domain, cooling_days) VALUES (\(bind: owner), \(bind: settings.replyDomain), \(bind: settings.cooling))
                ON CONFLICT (user_id) DO UPDATE SET reply_domain = EXCLUDED.reply_domain, cooling_days = EXCLUDED.cooling_days
                """).run()
            try await db.sql.raw("DELETE FROM contact_tag_cooling WHERE user_id = \(bind: owner)").run()
            for (tag, days) in settings.coolingByTag {
                try await db.sql.raw("INSERT INTO contact_tag_cooling (user_id, tag, days) VALUES (\(bind: owner), \(bind: tag), \(bind: days))").run()
            }
        }
    }
}
