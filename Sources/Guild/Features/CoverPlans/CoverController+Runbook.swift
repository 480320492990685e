import Fluent
import SQLKit
import Validation
import Vapor

/// The runbook editor (the member's own, one client or duty per form so a phone can manage it), the
/// backup's view of a covered member (runbook and handoff log), and a cover's record.
extension CoverController {
    struct RunbookPage: Encodable {
        struct Item: Encodable {
            var client: RunbookDocument.Client?
            var duty: RunbookDocument.Duty?
            var error: String?
            var open: Bool
        }

        var layout: Layout
        var clients: [Item]
        var duties: [Item]
        var newClient: Item
        var newDuty: Item
        var whereThingsLive: String
        var emergencyContact: String
        var clientMessage: String
        var basicsError: String?
        var keyMissing: Bool
    }

    /// A refused value is not sent back into the form when it holds a secret (it would sit in the page and the browser's history).
    static func scrubbed(_ text: String) -> String { SecretScan.first(in: text) == nil ? text : "" }

    static func scrubbed(_ client: RunbookDocument.Client) -> RunbookDocument.Client {
        .init(id: client.id, name: scrubbed(client.name), email: scrubbed(client.email), phone: scrubbed(client.phone),
              inProgress: scrubbed(client.inProgress), deadline: client.deadline, mustHear: scrubbed(client.mustHear))
    }

    static func scrubbed(_ duty: RunbookDocument.Duty) -> RunbookDocument.Duty {
        .init(id: duty.id, title: scrubbed(duty.title), when: scrubbed(duty.when), steps: scrubbed(duty.steps))
    }

    static let emptyClient = RunbookDocument.Client(id: "", name: "", email: "", phone: "", inProgress: "", deadline: "", mustHear: "")
    static let emptyDuty = RunbookDocument.Duty(id: "", title: "", when: "", steps: "")

    func runbookPage(_ req: Request, document: RunbookDocument, keyMissing: Bool = false) -> RunbookPage {
        RunbookPage(
            layout: req.layout(title: "My runbook"),
            clients: document.clients.map { .init(client: $0, open: false) }, duties: document.duties.map { .init(duty: $0, open: false) },
            newClient: .init(client: Self.emptyClient, open: false), newDuty: .init(duty: Self.emptyDuty, open: false),
            whereThingsLive: document.whereThingsLive, emergencyContact: document.emergencyContact, clientMessage: document.clientMessage,
            keyMissing: keyMissing)
    }

    func runbook(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        guard let cipher = req.application.runbookCipher else {
            return try await req.view.render("Cover/runbook", runbookPage(req, document: RunbookDocument(), keyMissing: true))
        }
        let (document, _) = try await Runbooks.load(me, cipher: cipher, on: req.db)
        return try await req.view.render("Cover/runbook", runbookPage(req, document: document))
    }

    /// Applies one change to the member's runbook; on a refused value, the page again with the form open and its error.
    func edit(_ req: Request, _ done: String, onError: @escaping (inout RunbookPage, String) -> Void,
              _ change: @escaping @Sendable (inout RunbookDocument) throws -> Void) async throws -> Response {
        let me = try req.requireUser().requireID()
        let cipher = try Runbooks.cipher(req.application)
        do {
            try await Runbooks.update(me, cipher: cipher, on: req.db, change)
            req.flash(.success, done)
            return req.redirect(to: "/cover/runbook", redirectType: .normal)
        } catch let error as CoverPlansError {
            let (document, _) = try await Runbooks.load(me, cipher: cipher, on: req.db)
            var page = runbookPage(req, document: document)
            onError(&page, error.reason)
            return try await req.view.render("Cover/runbook", page).encodeResponse(for: req).with(error)
        }
    }

    struct ClientInput: Content {
        var name: String?, email: String?, phone: String?, inProgress: String?, deadline: String?, mustHear: String?
        func client(id: String) -> RunbookDocument.Client {
            .init(id: id, name: name ?? "", email: email ?? "", phone: phone ?? "", inProgress: inProgress ?? "",
                  deadline: deadline ?? "", mustHear: mustHear ?? "")
        }
    }

    struct DutyInput: Content {
        var title: String?, when: String?, steps: String?
        func duty(id: String) -> RunbookDocument.Duty { .init(id: id, title: title ?? "", when: when ?? "", steps: steps ?? "") }
    }

    func saveClient(req: Request) async throws -> Response {
        let existing = req.parameters.get("itemID")
        let client = try req.content.decode(ClientInput.self).client(id: existing ?? UUID().uuidString.lowercased())
        return try await edit(req, existing == nil ? "Client added." : "Client saved.", onError: { page, reason in
            if let index = page.clients.firstIndex(where: { $0.client?.id == existing }) {
                page.clients[index] = .init(client: Self.scrubbed(client), error: reason, open: true)
            } else {
                page.newClient = .init(client: Self.scrubbed(client), error: reason, open: true)
            }
        }) { document in
            if let existing {
                guard let index = document.clients.firstIndex(where: { $0.id == existing }) else { throw CoverPlansError.itemNotFound }
                document.clients[index] = client
            } else {
                guard document.clients.count < RunbookDocument.maxItems else { throw CoverPlansError.invalid(field: "clients", "A runbook holds at most \(RunbookDocument.maxItems) clients.") }
                document.clients.append(client)
            }
        }
    }

    func deleteClient(req: Request) async throws -> Response {
        let id = req.parameters.get("itemID") ?? ""
        return try await edit(req, "Client removed.", onError: { page, reason in page.basicsError = reason }) { document in
            guard document.clients.contains(where: { $0.id == id }) else { throw CoverPlansError.itemNotFound }
            document.clients.removeAll { $0.id == id }
        }
    }

    func saveDuty(req: Request) async throws -> Response {
        let existing = req.parameters.get("itemID")
        let duty = try req.content.decode(DutyInput.self).duty(id: existing ?? UUID().uuidString.lowercased())
        return try await edit(req, existing == nil ? "Duty added." : "Duty saved.", onError: { page, reason in
            if let index = page.duties.firstIndex(where: { $0.duty?.id == existing }) {
                page.duties[index] = .init(duty: Self.scrubbed(duty), error: reason, open: true)
            } else {
                page.newDuty = .init(duty: Self.scrubbed(duty), error: reason, open: true)
            }
        }) { document in
            if let existing {
                guard let index = document.duties.firstIndex(where: { $0.id == existing }) else { throw CoverPlansError.itemNotFound }
                document.duties[index] = duty
            } else {
                guard document.duties.count < RunbookDocument.maxItems else { throw CoverPlansError.invalid(field: "duties", "A runbook holds at most \(RunbookDocument.maxItems) duties.") }
                document.duties.append(duty)
            }
        }
    }

    func deleteDuty(req: Request) async throws -> Response {
        let id = req.parameters.get("itemID") ?? ""
        return try await edit(req, "Duty removed.", onError: { page, reason in page.basicsError = reason }) { document in
            guard document.duties.contains(where: { $0.id == id }) else { throw CoverPlansError.itemNotFound }
            document.duties.removeAll { $0.id == id }
        }
    }

    func saveBasics(req: Request) async throws -> Response {
        struct Input: Content { var whereThingsLive: String?; var emergencyContact: String?; var clientMessage: String? }
        let input = try req.content.decode(Input.self)
        return try await edit(req, "Saved.", onError: { page, reason in
            page.basicsError = reason
            page.whereThingsLive = Self.scrubbed(input.whereThingsLive ?? "")
            page.emergencyContact = Self.scrubbed(input.emergencyContact ?? "")
            page.clientMessage = Self.scrubbed(input.clientMessage ?? "")
        }) { document in
            document.whereThingsLive = input.whereThingsLive ?? ""
            document.emergencyContact = input.emergencyContact ?? ""
            document.clientMessage = input.clientMessage ?? ""
        }
    }

    // MARK: the backup's view

    struct CoveringPage: Encodable, FormPage {
        struct Option: Encodable { var id: String; var label: String }
        struct Handoff: Encodable { var who: String; var item: String; var note: String; var at: String }

        var layout: Layout
        var memberID: UUID
        var name: String
        var since: String
        var expectedBack: String?
        var note: String
        var runbook: RunbookDocument
        var items: [Option]
        var handoffs: [Handoff]
        var draftItem = ""
        var draftNote = ""
        var errors: [String: String] = [:]
        var formError: String?
    }

    func coveringPage(_ req: Request, member: UUID, viewer: UUID) async throws -> CoveringPage {
        let cipher = try Runbooks.cipher(req.application)
        let (document, activation) = try await CoverHandoffs.readRunbook(of: member, by: viewer, cipher: cipher, on: req.db)
        let name = try await People.byID([member], on: req.db)[member]?.name ?? "A member"
        return CoveringPage(
            layout: req.layout(title: "Covering for \(name)"), memberID: member, name: name, since: CalendarDay.string(activation.started_at),
            expectedBack: activation.expected_back.map(CalendarDay.string), note: activation.note, runbook: document,
            items: document.clients.map { .init(id: $0.id, label: "Client: \($0.name)") } + document.duties.map { .init(id: $0.id, label: "Duty: \($0.title)") },
            handoffs: try await CoverHandoffs.list(activation.id, cipher: req.application.runbookCipher, on: req.db).map {
                .init(who: $0.backup_name ?? "A former member", item: $0.item_label, note: $0.note, at: EventTimes.brief($0.at, zone: TimeZone(identifier: "UTC")!))
            })
    }

    func covering(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        guard let member = req.parameters.get("memberID", as: UUID.self) else { throw CoverPlansError.runbookLocked }
        return try await req.view.render("Cover/covering", try await coveringPage(req, member: member, viewer: me))
    }

    func recordHandoff(req: Request) async throws -> Response {
        struct Input: Content { var item: String?; var note: String? }
        let me = try req.requireUser().requireID()
        guard let member = req.parameters.get("memberID", as: UUID.self) else { throw CoverPlansError.runbookLocked }
        let input = try req.content.decode(Input.self)
        do {
            _ = try await CoverHandoffs.record(for: member, by: me, item: input.item ?? "", note: input.note ?? "",
                                               cipher: req.application.runbookCipher, on: req.db)
            req.flash(.success, "Logged. They will see it when they are back.")
            return req.redirect(to: "/cover/for/\(member)", redirectType: .normal)
        } catch let error as CoverPlansError where error != .runbookLocked {
            var page = try await coveringPage(req, member: member, viewer: me)
            page.draftItem = input.item ?? ""
            page.draftNote = Self.scrubbed(input.note ?? "")
            page.show(error)
            return try await req.view.render("Cover/covering", page).encodeResponse(for: req).with(error)
        }
    }

    // MARK: a cover's record

    struct ActivationPage: Encodable {
        struct Entry: Encodable { var who: String; var what: String; var at: String }
        struct Backup: Encodable { var id: UUID; var name: String; var thanked: Bool; var message: String }

        var layout: Layout
        var id: UUID
        var name: String
        var isMember: Bool
        var active: Bool
        var period: String
        var handoffs: [Entry]
        var log: [Entry]
        var backups: [Backup]
    }

    func activation(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        let activation = try await CoverHandoffs.visible(req.parameters.get("activationID", as: UUID.self), to: me, on: req.db)
        let zone = TimeZone(identifier: "UTC")!
        let name = try await People.byID([activation.member_id], on: req.db)[activation.member_id]?.name ?? "A member"
        let isMember = activation.member_id == me
        var backups: [ActivationPage.Backup] = []
        if isMember {
            let thanks = try await CoverHandoffs.thanks(activation.id, on: req.db)
            let rows = try await CoverBackups.coveringMe(me, on: req.db).filter {
                $0.responded_at != nil && ($0.state == .accepted || ($0.state == .ended && ($0.ended_at ?? .distantPast) > activation.started_at))
            }
            backups = rows.map { row in
                let thank = thanks.first { $0.backup_id == row.backup_id }
                return .init(id: row.backup_id, name: row.backup_name, thanked: thank != nil, message: thank?.message ?? "")
            }
        }
        let page = ActivationPage(
            layout: req.layout(title: "Cover for \(name)"), id: activation.id, name: name, isMember: isMember, active: activation.isActive,
            period: "\(CalendarDay.string(activation.started_at)) to " + (activation.ended_at.map(CalendarDay.string) ?? "now"),
            handoffs: try await CoverHandoffs.list(activation.id, cipher: req.application.runbookCipher, on: req.db).map {
                .init(who: $0.backup_name ?? "A former member", what: "\($0.item_label): \($0.note)", at: EventTimes.brief($0.at, zone: zone))
            },
            log: isMember ? try await CoverActivations.logEntries(activation.member_id, activation: activation.id, on: req.db).map {
                .init(who: $0.actor_label, what: $0.detail, at: EventTimes.brief($0.at, zone: zone))
            } : [],
            backups: backups)
        return try await req.view.render("Cover/activation", page)
    }

    func thank(req: Request) async throws -> Response {
        struct Input: Content { var backup: UUID?; var message: String? }
        let me = try req.requireUser().requireID()
        let id = req.parameters.get("activationID", as: UUID.self)
        let input = try req.content.decode(Input.self)
        guard let backup = input.backup else { throw CoverPlansError.invalid(field: "backup", "Pick the backup to thank.") }
        try await CoverHandoffs.thank(id, backup: backup, message: input.message ?? "", by: me, baseURL: req.application.guildConfig.baseURL, on: req.db)
        req.flash(.success, "Thank-you sent.")
        return req.redirect(to: "/cover/activations/\(id?.uuidString ?? "")", redirectType: .normal)
    }
}
