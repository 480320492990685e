import Fluent
import Foundation
import Habits
import SQLKit
import Vapor

/// The disciplines page: one card per discipline (log today with one tap, streaks, strength, the
/// year and the weeks), the results of the same weeks beside them, pauses, partner and time zone.
/// Also the read-only view an accepted partner gets (`viewing` set).
struct DisciplinesPage: Encodable, FormPage {
    struct Option: Encodable { var value: String; var label: String }
    struct Partner: Encodable { var id: UUID; var name: String; var slug: String?; var status: String; var memberID: UUID; var message: String }
    struct Cheer: Encodable { var name: String; var day: String }
    struct Viewing: Encodable { var id: UUID; var name: String; var cheeredToday: Bool }
    struct ResultRow: Encodable { var week: DisciplineResults.Week; var cells: [String] }

    var layout: Layout
    var today: String
    var zone: String
    var zoneSet: Bool
    var disciplines: [DisciplineStats]
    /// The results table's rows: each week's discipline totals ("45/60") beside its results.
    var table: [ResultRow]
    var pauses: [PauseRow]
    var partner: Partner?
    var partnering: [Partner]
    var cheers: [Cheer]
    var kinds: [Option]
    var niches: [Option]
    var reasons: [Option]
    var viewing: Viewing?
    var summaryOn: Bool
    var form = DisciplineForm()
    var errors: [String: String] = [:]
    var formError: String?

    struct DisciplineForm: Encodable {
        var name = ""
        var kind = Kind.minutesPerDay.rawValue
        var target = "60"
        var niche = ""
        var tag = ""
    }

    struct NicheRow: Decodable, Sendable { var slug: String; var name: String }

    static func niches(of member: UUID, on db: any Database) async throws -> [NicheRow] {
        try await Profiles.niches(of: member, on: db).sorted { $0.name < $1.name }.map { NicheRow(slug: $0.slug, name: $0.name) }
    }

    static func query(_ req: Request, member: UUID, viewer: UUID) async throws -> DisciplinesPage {
        let db = req.db
        let own = member == viewer
        // The board and the page's own lists are independent: read them at once.
        async let boardRead = DisciplineBoard.load(member, on: db)
        async let partnersRead = own ? DisciplinePartners.both(member, on: db) : []
        async let pausesRead = own ? DisciplinePauses.list(of: member, on: db) : []
        async let summaryRead = own ? Notifications.emails(member, .disciplineSummary, on: db) : false
        async let nichesRead = own ? Self.niches(of: member, on: db) : []
        let (board, partners, pauses, summaryOn, niches) = try await (boardRead, partnersRead, pausesRead, summaryRead, nichesRead)
        func partner(_ row: PartnerRow, mine: Bool) -> Partner {
            Partner(id: row.id, name: mine ? row.partner_name : row.member_name, slug: mine ? row.partner_slug : row.member_slug,
                    status: row.status, memberID: row.member_id, message: row.message)
        }
        var viewing: Viewing?
        if !own {
            let name = try await People.byID([member], on: db)[member]?.name ?? "A member"
            struct Row: Decodable { var day: String }
            let cheered = try await db.sql.raw("""
                SELECT day FROM discipline_cheers WHERE member_id = \(bind: member) AND partner_id = \(bind: viewer) AND day = \(bind: board.today.iso)
                """).first(decoding: Row.self) != nil
            viewing = Viewing(id: member, name: name, cheeredToday: cheered)
        }
        return DisciplinesPage(
            layout: req.layout(title: own ? "Disciplines" : "\(viewing?.name ?? "A member")'s disciplines"),
            today: board.today.iso, zone: Disciplines.name(board.zone), zoneSet: board.zoneSet,
            disciplines: board.disciplines,
            table: board.results.enumerated().map { i, week in
                ResultRow(week: week, cells: board.disciplines.map { i < $0.weeks.count ? "\($0.weeks[i].total)/\($0.weeks[i].goal)" : "" })
            },
            pauses: pauses,
            partner: partners.first { $0.member_id == member }.map { partner($0, mine: true) },
            partnering: partners.filter { $0.partner_id == member }.map { partner($0, mine: false) },
            cheers: own ? try await DisciplinePartners.cheers(member, since: board.today.advanced(by: -13), on: db).map { Cheer(name: $0.name, day: $0.day) } : [],
            kinds: Kind.allCases.map { Option(value: $0.rawValue, label: $0.label) },
            niches: niches.map { Option(value: $0.slug, label: $0.name) },
            reasons: DisciplinePauses.reasons.sorted { $0.key > $1.key }.map { Option(value: $0.key, label: $0.value) },
            viewing: viewing,
            summaryOn: summaryOn)
    }
}

/// One discipline: the year, the weeks, the days with their notes and links, backfill and edit.
struct DisciplinePage: Encodable, FormPage {
    struct DayItem: Encodable { var day: String; var value: Int; var note: String; var link: String; var met: Bool }

    var layout: Layout
    var discipline: DisciplineStats
    var days: [DayItem]
    var today: String
    var earliest: String
    var kinds: [DisciplinesPage.Option]
    var niches: [DisciplinesPage.Option]
    var form: DisciplinesPage.DisciplineForm
    var errors: [String: String] = [:]
    var formError: String?

    static func query(_ req: Request, id: UUID, member: UUID) async throws -> DisciplinePage {
        let db = req.db
        let row = try await Disciplines.owned(id, by: member, on: db)
        let zone = try await Disciplines.zone(of: member, on: db)
        let today = Day(Date(), in: zone)
        let values = try await Disciplines.values(of: member, on: db)[id] ?? [:]
        let pauses = try await DisciplinePauses.all(of: member, zone: zone, today: today, on: db)
        let history = Disciplines.history(row, values: values, pauses: pauses)
        let niches = try await DisciplinesPage.niches(of: member, on: db)
        return DisciplinePage(
            layout: req.layout(title: row.name),
            discipline: DisciplineStats.make(row, history: history, today: today, charts: true),
            days: try await Disciplines.days(id, on: db).map { d in
                DayItem(day: d.day, value: d.value, note: d.note, link: d.link, met: Day(iso: d.day).map(history.met) ?? false)
            },
            today: today.iso, earliest: today.advanced(by: -Disciplines.backfillDays).iso,
            kinds: Kind.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            niches: niches.map { .init(value: $0.slug, label: $0.name) },
            form: .init(name: row.name, kind: row.kind, target: String(row.target), niche: row.niche_slug ?? "", tag: row.tag))
    }
}

/// The reading list and "what I implemented".
struct ReadingPage: Encodable, FormPage {
    var layout: Layout
    var books: [BookRow]
    var implementations: [ImplementationRow]
    var statuses: [DisciplinesPage.Option]
    var errors: [String: String] = [:]
    var formError: String?

    static func query(_ req: Request, member: UUID) async throws -> ReadingPage {
        ReadingPage(
            layout: req.layout(title: "Reading and implementing"),
            books: try await Reading.books(of: member, on: req.db),
            implementations: try await Reading.implementations(of: member, on: req.db),
            statuses: [("to_read", "To read"), ("reading", "Reading"), ("read", "Read")].map { .init(value: $0.0, label: $0.1) })
    }
}
