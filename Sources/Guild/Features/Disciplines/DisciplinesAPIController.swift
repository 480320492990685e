import Foundation
import Habits
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    func listDisciplines(_ input: Operations.ListDisciplines.Input) async throws -> Operations.ListDisciplines.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        var member = me
        if let raw = input.query.member {
            guard let id = UUID(uuidString: raw), try await DisciplinePartners.maySee(id, viewer: me, on: request.db) else {
                throw DisciplinesError.memberNotFound
            }
            member = id
        }
        let board = try await DisciplineBoard.load(member, charts: false, results: false, on: request.db)
        return .ok(.init(body: .json(.init(timeZone: Disciplines.name(board.zone), today: board.today.iso, disciplines: board.disciplines.map(Self.discipline)))))
    }

    func createDiscipline(_ input: Operations.CreateDiscipline.Input) async throws -> Operations.CreateDiscipline.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let id = try await Disciplines.create(
            DisciplineInput(name: body.name, kind: body.kind.rawValue, target: body.target, niche: body.niche, tag: body.tag), member: me, on: request.db)
        guard let stats = try await DisciplineBoard.load(me, charts: false, results: false, on: request.db).disciplines.first(where: { $0.id == id }) else {
            throw DisciplinesError.notFound
        }
        return .created(.init(body: .json(Self.discipline(stats))))
    }

    func deleteDiscipline(_ input: Operations.DeleteDiscipline.Input) async throws -> Operations.DeleteDiscipline.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard let id = UUID(uuidString: input.path.id) else { throw DisciplinesError.notFound }
        try await Disciplines.delete(id, member: me, on: request.db)
        return .noContent(.init())
    }

    func putDisciplineDay(_ input: Operations.PutDisciplineDay.Input) async throws -> Operations.PutDisciplineDay.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard let id = UUID(uuidString: input.path.id) else { throw DisciplinesError.notFound }
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let day = input.path.date
        // The day is the resource: one that does not exist is 404, one that cannot be logged (not yet, or
        // over a year ago) conflicts with the calendar, 409; the body's fields stay 422.
        guard Day(iso: day) != nil else { throw DisciplinesError.notFound }
        let saved: DisciplineDayRow?
        do {
            saved = try await Disciplines.setDay(id, day: day, DayInput(minutes: body.minutes, done: body.done, note: body.note, link: body.link),
                                                 member: me, on: request.db)
        } catch DisciplinesError.invalid(let field, let message) where field == "day" {
            throw DisciplinesError.conflict(field: "day", message)
        }
        return .ok(.init(body: .json(.init(day: saved?.day ?? day, value: saved?.value ?? 0, note: saved?.note ?? "", link: saved?.link ?? "",
                                           cleared: saved == nil))))
    }

    func getDisciplineStats(_ input: Operations.GetDisciplineStats.Input) async throws -> Operations.GetDisciplineStats.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard let id = UUID(uuidString: input.path.id), let row = try await Disciplines.find(id, on: request.db),
              try await DisciplinePartners.maySee(row.member_id, viewer: me, on: request.db) else { throw DisciplinesError.notFound }
        let board = try await DisciplineBoard.load(row.member_id, charts: false, on: request.db)
        guard let stats = board.disciplines.first(where: { $0.id == id }) else { throw DisciplinesError.notFound }
        let since = board.today.advanced(by: -365)
        return .ok(.init(body: .json(.init(
            discipline: Self.discipline(stats),
            weeks: stats.weeks.map { .init(monday: $0.monday, total: $0.total, goal: $0.goal, paused: $0.paused) },
            results: board.results.map {
                .init(monday: $0.monday, emailsSent: $0.emailsSent, emailsAnswered: $0.emailsAnswered, referralsGiven: $0.referralsGiven,
                      referralsReceived: $0.referralsReceived, posts: $0.posts, events: $0.events, implemented: $0.implemented)
            },
            days: (board.values[id] ?? [:]).filter { $0.key >= since }.sorted { $0.key < $1.key }.map { .init(day: $0.key.iso, value: $0.value) }))))
    }

    static func discipline(_ d: DisciplineStats) -> Components.Schemas.Discipline {
        .init(id: d.id.uuidString.lowercased(), name: d.name, kind: .init(rawValue: d.kind) ?? .done, target: d.target, niche: d.niche, tag: d.tag,
              currentStreak: d.currentStreak, bestStreak: d.bestStreak, streakUnit: .init(rawValue: d.streakUnit) ?? .days,
              strength: min(1, max(0, d.strengthExact)), weekTotal: d.weekTotal, weekGoal: d.weekGoal, today: d.today)
    }
}
