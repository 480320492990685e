import Foundation
import OpenAPIRuntime
import Validation
import Vapor

extension GuildAPI {
    // MARK: backups

    func listCoverBackups(_ input: Operations.ListCoverBackups.Input) async throws -> Operations.ListCoverBackups.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let mine = try await CoverBackups.coveringMe(me, on: request.db)
        let theirs = try await CoverBackups.coveredByMe(me, on: request.db)
        return .ok(.init(body: .json(.init(coveringMe: mine.map(Self.coverBackup), iCover: theirs.map(Self.coverBackup)))))
    }

    func askCoverBackup(_ input: Operations.AskCoverBackup.Input) async throws -> Operations.AskCoverBackup.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let id = try await CoverBackups.ask(me, backupSlug: body.with, nicheSlug: body.niche, message: body.message ?? "",
                                            baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .created(.init(body: .json(Self.coverBackup(try await CoverBackups.require(id, viewer: me, on: request.db)))))
    }

    func acceptCoverBackup(_ input: Operations.AcceptCoverBackup.Input) async throws -> Operations.AcceptCoverBackup.Output {
        .ok(.init(body: .json(try await coverBackupAction(input.path.id) { me, id, request in
            try await CoverBackups.answer(id, accept: true, by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        })))
    }

    func declineCoverBackup(_ input: Operations.DeclineCoverBackup.Input) async throws -> Operations.DeclineCoverBackup.Output {
        .ok(.init(body: .json(try await coverBackupAction(input.path.id) { me, id, request in
            try await CoverBackups.answer(id, accept: false, by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        })))
    }

    func endCoverBackup(_ input: Operations.EndCoverBackup.Input) async throws -> Operations.EndCoverBackup.Output {
        .ok(.init(body: .json(try await coverBackupAction(input.path.id) { me, id, request in
            try await CoverBackups.end(id, by: me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        })))
    }

    func moveCoverBackup(_ input: Operations.MoveCoverBackup.Input) async throws -> Operations.MoveCoverBackup.Output {
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        return .ok(.init(body: .json(try await coverBackupAction(input.path.id) { me, id, request in
            try await CoverBackups.move(id, to: body.position, by: me, on: request.db)
        })))
    }

    private func coverBackupAction(_ rawID: String, _ action: (UUID, UUID?, Request) async throws -> Void) async throws -> Components.Schemas.CoverBackup {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let id = UUID(uuidString: rawID)
        try await action(me, id, request)
        return Self.coverBackup(try await CoverBackups.require(id, viewer: me, on: request.db))
    }

    static func coverBackup(_ row: CoverBackupRow) -> Components.Schemas.CoverBackup {
        .init(id: row.id.uuidString.lowercased(), member: row.member_id.uuidString.lowercased(), memberName: row.member_name,
              memberProfile: row.member_slug, backup: row.backup_id.uuidString.lowercased(), backupName: row.backup_name,
              backupProfile: row.backup_slug, niche: row.niche_slug, status: .init(rawValue: row.status) ?? .ended,
              position: row.position, message: row.message, createdAt: row.created_at, respondedAt: row.responded_at)
    }

    // MARK: runbook

    func getRunbook(_ input: Operations.GetRunbook.Input) async throws -> Operations.GetRunbook.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let (document, _) = try await Runbooks.load(me, cipher: try Runbooks.cipher(request.application), on: request.db)
        return .ok(.init(body: .json(Self.runbook(document))))
    }

    func putRunbook(_ input: Operations.PutRunbook.Input) async throws -> Operations.PutRunbook.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        // A date or null, as the document says: an empty string is not a date.
        for (index, client) in (body.clients ?? []).enumerated() {
            if client.deadline == "" { throw CoverPlansError.invalid(field: "clients[\(index)].deadline", "Give the deadline as YYYY-MM-DD, or null for none.") }
            if client.email == "" { throw CoverPlansError.invalid(field: "clients[\(index)].email", "Give the client's email address, or null for none.") }
        }
        let document = RunbookDocument(
            clients: (body.clients ?? []).map {
                .init(id: $0.id ?? "", name: $0.name, email: $0.email ?? "", phone: $0.phone ?? "", inProgress: $0.inProgress ?? "",
                      deadline: $0.deadline ?? "", mustHear: $0.mustHear ?? "")
            },
            duties: (body.duties ?? []).map { .init(id: $0.id ?? "", title: $0.title, when: $0.when ?? "", steps: $0.steps ?? "") },
            whereThingsLive: body.whereThingsLive ?? "", emergencyContact: body.emergencyContact ?? "", clientMessage: body.clientMessage ?? "")
        let stored = try await Runbooks.save(document, member: me, cipher: try Runbooks.cipher(request.application), on: request.db)
        return .ok(.init(body: .json(Self.runbook(stored))))
    }

    func getCoveredRunbook(_ input: Operations.GetCoveredRunbook.Input) async throws -> Operations.GetCoveredRunbook.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard let member = UUID(uuidString: input.path.member) else { throw CoverPlansError.runbookLocked }
        let cipher = try Runbooks.cipher(request.application)
        let (document, _) = try await CoverHandoffs.readRunbook(of: member, by: me, cipher: cipher, on: request.db)
        return .ok(.init(body: .json(Self.runbook(document))))
    }

    static func runbook(_ document: RunbookDocument) -> Components.Schemas.Runbook {
        .init(
            clients: document.clients.map {
                .init(id: $0.id, name: $0.name, email: $0.email.isEmpty ? nil : $0.email, phone: $0.phone, inProgress: $0.inProgress,
                      deadline: $0.deadline.isEmpty ? nil : $0.deadline, mustHear: $0.mustHear)
            },
            duties: document.duties.map { .init(id: $0.id, title: $0.title, when: $0.when, steps: $0.steps) },
            whereThingsLive: document.whereThingsLive, emergencyContact: document.emergencyContact, clientMessage: document.clientMessage)
    }

    // MARK: activations

    func listCoverActivations(_ input: Operations.ListCoverActivations.Input) async throws -> Operations.ListCoverActivations.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let mine = try await CoverActivations.history(me, limit: 50, on: request.db)
        let covering = try await CoverActivations.coveredNow(by: me, on: request.db)
        let names = try await People.byID([me] + covering.map(\.member_id), on: request.db)
        return .ok(.init(body: .json(.init(mine: mine.map { Self.coverActivation($0, names: names) },
                                           covering: covering.map { Self.coverActivation($0, names: names) }))))
    }

    func startCover(_ input: Operations.StartCover.Input) async throws -> Operations.StartCover.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        let me = try user.requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        var member = me
        if let raw = body.member {
            guard let id = UUID(uuidString: raw), try await User.find(id, on: request.db) != nil else { throw CoverPlansError.memberNotFound }
            member = id
        }
        guard try await CoverActivations.mayAct(user, for: member, on: request.db) else { throw CoverPlansError.notAllowed }
        var back: Date?
        if let day = body.expectedBack {
            guard let date = CalendarDay.parse(day) else {
                throw CoverPlansError.invalid(field: "expectedBack", "Write the return date as YYYY-MM-DD, a year from 2000 to 2099.")
            }
            back = date
        }
        let id = try await CoverActivations.start(
            member, by: member == me ? .member(me) : .organizer(me), expectedBack: back, note: body.note ?? "",
            baseURL: request.application.guildConfig.baseURL, cipher: request.application.runbookCipher, on: request.db)
        return .created(.init(body: .json(try await coverActivation(id, on: request))))
    }

    func endCover(_ input: Operations.EndCover.Input) async throws -> Operations.EndCover.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard let activation = try await CoverActivations.find(UUID(uuidString: input.path.id), on: request.db) else {
            throw CoverPlansError.activationNotFound
        }
        guard try await CoverActivations.mayAct(user, for: activation.member_id, on: request.db) else {
            // Backups may see covers; nobody else learns this one exists.
            _ = try await CoverHandoffs.visible(activation.id, to: try user.requireID(), on: request.db)
            throw CoverPlansError.notAllowed
        }
        guard activation.isActive else { throw CoverPlansError.notActive }
        _ = try await CoverActivations.end(activation.member_id, by: user, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .ok(.init(body: .json(try await coverActivation(activation.id, on: request))))
    }

    func thankCoverBackup(_ input: Operations.ThankCoverBackup.Input) async throws -> Operations.ThankCoverBackup.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let backup = UUID(uuidString: body.backup) else { throw CoverPlansError.conflict(field: "backup", "Thank one of the backups who covered you.") }
        try await CoverHandoffs.thank(UUID(uuidString: input.path.id), backup: backup, message: body.message ?? "", by: me,
                                      baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .noContent(.init())
    }

    private func coverActivation(_ id: UUID, on request: Request) async throws -> Components.Schemas.CoverActivation {
        guard let row = try await CoverActivations.find(id, on: request.db) else { throw CoverPlansError.activationNotFound }
        return Self.coverActivation(row, names: try await People.byID([row.member_id], on: request.db))
    }

    static func coverActivation(_ row: CoverActivationRow, names: [UUID: People.Person]) -> Components.Schemas.CoverActivation {
        .init(id: row.id.uuidString.lowercased(), member: row.member_id.uuidString.lowercased(), memberName: names[row.member_id]?.name ?? "A member",
              startedBy: .init(rawValue: row.started_by) ?? .member, startedAt: row.started_at, expectedBack: row.expected_back.map(CalendarDay.string),
              endedAt: row.ended_at, active: row.isActive, note: row.note, clientsTold: row.clients_told, nobodyAvailable: row.nobody_available)
    }

    // MARK: handoffs and the trusted contact

    func listCoverHandoffs(_ input: Operations.ListCoverHandoffs.Input) async throws -> Operations.ListCoverHandoffs.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let activation = try await CoverHandoffs.visible(UUID(uuidString: input.query.activation), to: me, on: request.db)
        return .ok(.init(body: .json(.init(items: try await CoverHandoffs.list(activation.id, cipher: request.application.runbookCipher, on: request.db).map(Self.coverHandoff)))))
    }

    func recordCoverHandoff(_ input: Operations.RecordCoverHandoff.Input) async throws -> Operations.RecordCoverHandoff.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let member = UUID(uuidString: body.member) else { throw CoverPlansError.runbookLocked }
        let id = try await CoverHandoffs.record(for: member, by: me, item: body.item ?? "", note: body.note,
                                                cipher: request.application.runbookCipher, on: request.db)
        guard let activation = try await CoverActivations.active(member, on: request.db),
              let row = try await CoverHandoffs.list(activation.id, cipher: request.application.runbookCipher, on: request.db).first(where: { $0.id == id }) else {
            throw CoverPlansError.notActive
        }
        return .created(.init(body: .json(Self.coverHandoff(row))))
    }

    static func coverHandoff(_ row: CoverHandoffRow) -> Components.Schemas.CoverHandoff {
        .init(id: row.id.uuidString.lowercased(), activation: row.activation_id.uuidString.lowercased(), backupName: row.backup_name,
              item: row.item, itemLabel: row.item_label, note: row.note, at: row.at)
    }

    func nameTrustedContact(_ input: Operations.NameTrustedContact.Input) async throws -> Operations.NameTrustedContact.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let link = try await CoverTrustedContacts.name(me, name: body.name, email: body.email, baseURL: request.application.guildConfig.baseURL, on: request.db)
        guard let contact = try await CoverTrustedContacts.current(me, on: request.db) else { throw CommonError.notFound }
        return .created(.init(body: .json(.init(name: contact.name, email: contact.email, link: link, expiresAt: contact.expires_at))))
    }

    func removeTrustedContact(_ input: Operations.RemoveTrustedContact.Input) async throws -> Operations.RemoveTrustedContact.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        try await CoverTrustedContacts.revoke(me, on: request.db)
        return .noContent(.init())
    }
}
