import Fluent
import SQLKit
import Foundation
import Vapor

/// Typed contexts of the cover-plan pages, and the queries that fill the member's page.
struct CoverDashboard: Encodable, FormPage {
    struct Backup: Encodable {
        var id: UUID
        var name: String
        var slug: String?
        var scope: String
        var status: String
        var position: Int
        var up: Int
        var down: Int
        var message: String
        var first: Bool
        var last: Bool
        var memberID: UUID
    }

    struct Active: Encodable {
        var since: String
        var expectedBack: String?
        var startedBy: String
        var nobodyAvailable: Bool
        var id: UUID
    }

    struct Covered: Encodable { var memberID: UUID; var name: String; var since: String }
    struct Past: Encodable { var id: UUID; var label: String }
    struct Option: Encodable { var slug: String; var name: String }
    struct Contact: Encodable { var name: String; var email: String; var state: String }

    var layout: Layout
    var active: Active?
    var hasCover: Bool
    var coveringMe: [Backup]
    var iCover: [Backup]
    var coveringNow: [Covered]
    var contact: Contact?
    var newLink: String?
    var runbookSummary: String
    var keyMissing: Bool
    var past: [Past]
    var niches: [Option]
    var askWith = ""
    var askNiche = ""
    var askMessage = ""
    var contactName = ""
    var contactEmail = ""
    var isOrganizer: Bool
    /// The member's circles, and whether each one's organizers may switch their cover on.
    var switchConsents: [CoverSwitchConsents.Choice] = []
    var errors: [String: String] = [:]
    var formError: String?

    static func query(_ req: Request, user: User) async throws -> CoverDashboard {
        let me = try user.requireID()
        let db = req.db
        let mine = try await CoverBackups.coveringMe(me, on: db).filter { $0.state == .asked || $0.state == .accepted }
        let theirs = try await CoverBackups.coveredByMe(me, on: db).filter { $0.state == .asked || $0.state == .accepted }
        func item(_ row: CoverBackupRow, mine: Bool, index: Int, count: Int) -> Backup {
            Backup(id: row.id, name: mine ? row.backup_name : row.member_name, slug: mine ? row.backup_slug : row.member_slug,
                   scope: row.scope, status: row.status, position: index + 1, up: index, down: index + 2, message: row.message,
                   first: index == 0, last: index == count - 1, memberID: row.member_id)
        }
        let active = try await CoverActivations.active(me, on: db)
        var runbookSummary = "Not written yet."
        let keyMissing = req.application.runbookCipher == nil
        if let cipher = req.application.runbookCipher, let changed = try await Runbooks.updatedAt(me, on: db) {
            let document = try await Runbooks.load(me, cipher: cipher, on: db).0
            runbookSummary = "\(document.clients.count) active client\(document.clients.count == 1 ? "" : "s"), "
                + "\(document.duties.count) dut\(document.duties.count == 1 ? "y" : "ies"); last changed \(CalendarDay.string(changed))."
        }
        let now = try await CoverActivations.coveredNow(by: me, on: db)
        let names = try await People.byID(now.map(\.member_id), on: db)
        let niches = try await Profiles.niches(of: me, on: db).sorted { $0.name < $1.name }
        let contact = try await CoverTrustedContacts.current(me, on: db)
        let organizer = try await Self.organizesCircles(me, on: db) || user.role == .admin
        return CoverDashboard(
            layout: req.layout(title: "Cover plan"),
            active: active.map { row in
                Active(since: CalendarDay.string(row.started_at), expectedBack: row.expected_back.map(CalendarDay.string),
                       startedBy: row.started_by.replacingOccurrences(of: "_", with: " "), nobodyAvailable: row.nobody_available, id: row.id)
            },
            hasCover: mine.contains { $0.state == .accepted },
            coveringMe: mine.enumerated().map { item($1, mine: true, index: $0, count: mine.count) },
            iCover: theirs.enumerated().map { item($1, mine: false, index: $0, count: theirs.count) },
            coveringNow: now.map { Covered(memberID: $0.member_id, name: names[$0.member_id]?.name ?? "A member", since: CalendarDay.string($0.started_at)) },
            contact: contact.map { row in
                Contact(name: row.name, email: row.email,
                        state: row.used_at != nil ? "its link was used on \(CalendarDay.string(row.used_at!)); name them again for a new one"
                            : row.expires_at < Date() ? "its link expired; name them again for a new one"
                            : "their link works once, until \(CalendarDay.string(row.expires_at))")
            },
            runbookSummary: runbookSummary, keyMissing: keyMissing,
            past: try await CoverActivations.history(me, on: db).filter { !$0.isActive }.map {
                Past(id: $0.id, label: "\(CalendarDay.string($0.started_at)) to \(CalendarDay.string($0.ended_at ?? $0.started_at))")
            },
            niches: niches.map { Option(slug: $0.slug, name: $0.name) }, isOrganizer: organizer,
            switchConsents: try await CoverSwitchConsents.choices(of: me, on: db))
    }

    static func organizesCircles(_ user: UUID, on db: any Database) async throws -> Bool {
        try await !Circles.organized(by: user, on: db).isEmpty
    }
}

/// The members of an organizer's circles and their cover (admins see every circle's members).
struct CoverCirclesPage: Encodable {
    struct Member: Encodable {
        var id: UUID
        var name: String
        var slug: String?
        var backups: Int
        var active: Bool
        var circles: String
        /// The member allowed this organizer's circles' organizers to switch their cover on (admins always may).
        var maySwitch = false
    }

    var layout: Layout
    var uncovered: [Member]
    var covered: [Member]

    static func query(_ req: Request, user: User) async throws -> CoverCirclesPage {
        let me = try user.requireID()
        struct Row: Decodable { var id: UUID; var name: String; var slug: String?; var backups: Int; var active: Int; var circle: String }
        let rows = try await req.db.sql.raw("""
            SELECT m.user_id AS id, m.name, m.slug, m.circle,
                (SELECT COUNT(*) FROM cover_backups b WHERE b.member_id = m.user_id AND b.status = 'accepted') AS backups,
                (SELECT COUNT(*) FROM cover_activations a WHERE a.member_id = m.user_id AND a.ended_at IS NULL) AS active
            FROM \(Circles.membersSQL(organizedBy: user.role == .admin ? nil : me)) m
            ORDER BY m.name, m.user_id LIMIT 2000
            """).all(decoding: Row.self)
        var members: [UUID: Member] = [:]
        var order: [UUID] = []
        for row in rows {
            if members[row.id] == nil {
                order.append(row.id)
                members[row.id] = Member(id: row.id, name: row.name, slug: row.slug, backups: row.backups, active: row.active > 0, circles: row.circle)
            } else {
                members[row.id]!.circles += ", " + row.circle
            }
        }
        let allowed = user.role == .admin ? Set(order)
            : try await CoverSwitchConsents.members(allowing: try await Circles.organized(by: me, on: req.db), on: req.db)
        for id in order { members[id]?.maySwitch = allowed.contains(id) }
        let all = order.compactMap { members[$0] }
        return CoverCirclesPage(layout: req.layout(title: "Cover in my circles"),
                                uncovered: all.filter { $0.backups == 0 }, covered: all.filter { $0.backups > 0 })
    }
}
