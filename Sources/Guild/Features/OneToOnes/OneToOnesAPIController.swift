import Foundation
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    // MARK: one-to-ones

    func listOneToOnes(_ input: Operations.ListOneToOnes.Input) async throws -> Operations.ListOneToOnes.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let rows = try await OneToOnes.list(of: me, on: request.db)
        var items: [Components.Schemas.OneToOne] = []
        for row in rows { items.append(try await Self.oneToOne(row, viewer: me, on: request)) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func proposeOneToOne(_ input: Operations.ProposeOneToOne.Input) async throws -> Operations.ProposeOneToOne.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let invitee = try await OneToOnes.member(slug: body.with, on: request.db) else { throw EventsError.memberNotFound }
        let id = try await OneToOnes.propose(
            .init(invitee: invitee.id, event: body.event.flatMap(UUID.init(uuidString:)), starts: body.slots, minutes: body.minutes ?? 30,
                  timeZone: body.timeZone, place: body.place ?? "", note: body.note ?? ""),
            by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .created(.init(body: .json(try await Self.oneToOne(id, viewer: me, on: request))))
    }

    func getOneToOne(_ input: Operations.GetOneToOne.Input) async throws -> Operations.GetOneToOne.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        return .ok(.init(body: .json(try await Self.oneToOne(UUID(uuidString: input.path.id), viewer: me, on: request))))
    }

    func acceptOneToOne(_ input: Operations.AcceptOneToOne.Input) async throws -> Operations.AcceptOneToOne.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let id = UUID(uuidString: input.path.id)
        try await OneToOnes.accept(id, slot: body.slot, by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .ok(.init(body: .json(try await Self.oneToOne(id, viewer: me, on: request))))
    }

    func declineOneToOne(_ input: Operations.DeclineOneToOne.Input) async throws -> Operations.DeclineOneToOne.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let id = UUID(uuidString: input.path.id)
        try await OneToOnes.decline(id, by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .ok(.init(body: .json(try await Self.oneToOne(id, viewer: me, on: request))))
    }

    func cancelOneToOne(_ input: Operations.CancelOneToOne.Input) async throws -> Operations.CancelOneToOne.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let id = UUID(uuidString: input.path.id)
        try await OneToOnes.cancel(id, by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .ok(.init(body: .json(try await Self.oneToOne(id, viewer: me, on: request))))
    }

    static func oneToOne(_ id: UUID?, viewer: UUID, on request: Request) async throws -> Components.Schemas.OneToOne {
        try await oneToOne(try await OneToOnes.require(id, viewer: viewer, on: request.db), viewer: viewer, on: request)
    }

    static func oneToOne(_ row: OneToOneRecord, viewer: UUID, on request: Request) async throws -> Components.Schemas.OneToOne {
        let other = try await People.byID([row.other(than: viewer)], on: request.db).values.first
        let slots = try await OneToOnes.slots(of: row.id, on: request.db)
        return .init(
            id: row.id.uuidString.lowercased(), with: other?.name ?? "A former member", withProfile: other?.slug, proposedByMe: row.proposer_id == viewer,
            status: .init(rawValue: row.status) ?? .cancelled, start: row.starts_at, end: row.ends_at, timeZone: row.time_zone, place: row.place,
            note: row.note, event: row.event_id?.uuidString.lowercased(),
            slots: slots.map { .init(position: $0.position, start: $0.starts_at, end: $0.ends_at) }, sequence: row.sequence,
            calendarUrl: "\(request.application.guildConfig.baseURL)/one-to-ones/\(row.id)/invite.ics")
    }
}
