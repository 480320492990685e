import Formats
import Foundation
import OpenAPIRuntime
import SafeMarkdown
import Validation
import Vapor

extension GuildAPI {
    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        for (field, value, limit) in [("q", input.query.q, 100), ("tag", input.query.tag, 40)] where (value?.unicodeScalars.count ?? 0) > limit {
            throw CommonError.invalidParameter(.init(field: field, message: "\(field) can be at most \(limit) characters."))
        }
        let page = input.query.page ?? 1
        guard (1...1000).contains(page) else { throw CommonError.invalidParameter(.init(field: "page", message: "page must be from 1 to 1000.")) }
        let rows = try await ContactList.rows(of: owner, .init(query: input.query.q ?? "", tag: input.query.tag ?? "", cooling: input.query.cooling ?? false,
                                                               offset: (page - 1) * Contacts.pageSize), on: request.db)
        let ids = rows.map(\.id)
        let handles = try await Contacts.handles(of: ids, on: request.db)
        let tags = try await Contacts.tags(of: ids, on: request.db)
        let niches = try await Contacts.niches(of: ids, on: request.db)
        let settings = try await ContactSettings.load(owner, on: request.db)
        let records = try await Contacts.records(ids, owner: owner, on: request.db)
        var items: [Components.Schemas.Contact] = []
        for row in rows {
            guard let record = records[row.id] else { continue }
            let contact = Self.contact(record, handles: handles[row.id] ?? [], tags: tags[row.id] ?? [], niches: niches[row.id] ?? [],
                                       member: nil, settings: settings, nextDue: row.next_due)
            if input.query.cooling != true || contact.cooling { items.append(contact) }
        }
        return .ok(.init(body: .json(.init(items: items, total: try await ContactList.count(of: owner, on: request.db)))))
    }

    func createContact(_ input: Operations.CreateContact.Input) async throws -> Operations.CreateContact.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        if body.member?.isEmpty == true { throw ContactsError.invalid(field: "member", "Leave member out, or give a profile's slug.") }
        let draft = ContactDraft(fields: ContactFields(
            name: body.name, business: body.business ?? "", emails: (body.emails ?? []).map { .init($0) }, phones: (body.phones ?? []).map { .init($0) },
            website: body.website ?? "", met: body.met ?? "", notes: body.notes ?? "", tags: body.tags ?? []),
                                 niches: body.niches ?? [], memberSlug: body.member, strict: true)
        let id = try await Contacts.create(draft, owner: owner, on: request.db)
        return .created(.init(body: .json(try await Self.contactDetail(id, owner: owner, on: request))))
    }

    func getContact(_ input: Operations.GetContact.Input) async throws -> Operations.GetContact.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        return .ok(.init(body: .json(try await Self.contactDetail(try Self.contactID(input.path.id), owner: owner, on: request))))
    }

    func updateContact(_ input: Operations.UpdateContact.Input) async throws -> Operations.UpdateContact.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let record = try await Contacts.require(try Self.contactID(input.path.id), owner: owner, on: request.db)
        if body.member?.isEmpty == true { throw ContactsError.invalid(field: "member", "Leave member out, or give a profile's slug.") }
        let handles = try await Contacts.handles(of: [record.id], on: request.db)[record.id] ?? []
        var fields = Contacts.fields(of: record, handles: handles, tags: try await Contacts.tags(of: [record.id], on: request.db)[record.id] ?? [])
        // Fields left out keep their value; sent ones are checked as sent.
        var sent = ContactFields(name: body.name ?? fields.name, business: body.business ?? fields.business,
                                 emails: body.emails.map { $0.map { .init($0) } } ?? fields.emails,
                                 phones: body.phones.map { $0.map { .init($0) } } ?? fields.phones,
                                 website: body.website ?? fields.website, met: body.met ?? fields.met, notes: body.notes ?? fields.notes,
                                 tags: body.tags ?? fields.tags)
        if body.emails == nil { sent.emails = fields.emails }
        fields = sent
        let saved = try await Contacts.niches(of: [record.id], on: request.db)[record.id]?.map(\.slug) ?? []
        let niches = body.niches ?? saved
        var memberSlug = body.member
        if memberSlug == nil, let memberID = record.member_id {
            memberSlug = try await People.byID([memberID], on: request.db)[memberID]?.slug
        }
        try await Contacts.update(record.id, ContactDraft(fields: fields, niches: niches, memberSlug: memberSlug, strict: true), owner: owner, on: request.db)
        return .ok(.init(body: .json(try await Self.contactDetail(record.id, owner: owner, on: request))))
    }

    func deleteContact(_ input: Operations.DeleteContact.Input) async throws -> Operations.DeleteContact.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        try await Contacts.delete(try Self.contactID(input.path.id), owner: owner, on: request.db)
        return .noContent(.init())
    }

    func importContacts(_ input: Operations.ImportContacts.Input) async throws -> Operations.ImportContacts.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        guard request.headers.contentType != nil else { throw CommonError.badRequest("Send the file as text/vcard or text/csv.") }
        let body: HTTPBody
        let isCSV: Bool
        switch input.body {
        case .textVcard(let vcard): (body, isCSV) = (vcard, false)
        case .csv(let csv): (body, isCSV) = (csv, true)
        }
        let data: Data
        do {
            data = try await Data(collecting: body, upTo: ContactFiles.maxFileSize)
        } catch {
            throw ContactsError.tooLarge
        }
        let report: ContactImport.Report
        do {
            if isCSV {
                let (cards, problems) = try await BulkExecutor.compute {
                    let table = try ContactCSV.table(data)
                    return ContactCSV.cards(table, mapping: ContactCSV.guessMapping(table.header))
                }
                report = try await ContactImport.run(cards, problems: problems, owner: owner, on: request.db)
            } else {
                let parsed = try await BulkExecutor.compute { try VCard.parse(data) }
                report = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: owner, on: request.db)
            }
        } catch let error as ContactFileError {
            // A file that cannot be read at all is one problem, at position 0: the body was a valid
            // string, and the report says what is wrong with it.
            report = ContactImport.Report(problems: [.init(position: 0, line: 0, reason: error.reason)])
        }
        return .ok(.init(body: .json(.init(created: report.created, updated: report.updated,
                                           problems: report.problems.map { .init(position: $0.position, line: $0.line, reason: $0.reason) }))))
    }

    func exportContacts(_ input: Operations.ExportContacts.Input) async throws -> Operations.ExportContacts.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        let version: VCard.Version = input.query.version == ._4_0 ? .v4 : .v3
        let text = VCard.write(try await ContactImport.export(owner, on: request.db), version: version)
        return .ok(.init(body: .textVcard(.init(text))))
    }

    func sendContactEmail(_ input: Operations.SendContactEmail.Input) async throws -> Operations.SendContactEmail.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let contact = try Self.contactID(input.path.id)
        if let to = body.to, EmailAddress.mailForm(to) == nil { throw ContactsError.invalid(field: "to", "“\(to.prefix(80))” is not an email address.") }
        let followUp = try body.followUpId.map { raw in
            guard let id = UUID(uuidString: raw) else { throw ContactsError.followUpNotFound }
            return id
        }
        let id = try await ContactMail.send(.init(to: body.to ?? "", subject: body.subject, body: body.body), contact: contact, followUp: followUp,
                                            from: user, config: request.application.guildConfig, on: request.db)
        guard let sent = try await ContactMail.sent(to: contact, owner: user.requireID(), on: request.db).first(where: { $0.id == id }) else {
            throw ContactsError.notFound
        }
        return .accepted(.init(body: .json(.init(id: sent.id.uuidString, contactId: sent.contact_id.uuidString, followUpId: sent.followup_id?.uuidString,
                                                 recipient: sent.recipient, subject: sent.subject, sentAt: sent.sent_at, answered: sent.answered_at != nil))))
    }

    func listFollowUps(_ input: Operations.ListFollowUps.Input) async throws -> Operations.ListFollowUps.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        let today = FollowUps.day()
        var rows = try await FollowUps.open(of: owner, on: request.db)
        if input.query.due == .today { rows = rows.filter { $0.day <= today } }
        return .ok(.init(body: .json(.init(items: rows.map { Self.followUp($0, today: today) }))))
    }

    func createFollowUp(_ input: Operations.CreateFollowUp.Input) async throws -> Operations.CreateFollowUp.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        guard let contact = UUID(uuidString: body.contactId) else { throw ContactsError.notFound }
        // The purpose is checked as sent, as the document's pattern does.
        if let problem = TextRules.lineProblem(body.purpose, what: "The purpose") { throw ContactsError.invalid(field: "purpose", problem) }
        let id = try await FollowUps.create(contact: contact, purpose: body.purpose, due: body.due, owner: owner, on: request.db)
        return .created(.init(body: .json(Self.followUp(try await FollowUps.find(id, owner: owner, on: request.db), today: FollowUps.day()))))
    }

    func completeFollowUp(_ input: Operations.CompleteFollowUp.Input) async throws -> Operations.CompleteFollowUp.Output {
        let request = try req
        let owner = try await APIAuth.requireUser(request).requireID()
        guard let id = UUID(uuidString: input.path.id) else { throw ContactsError.followUpNotFound }
        try await FollowUps.markDone(id, owner: owner, on: request.db)
        return .ok(.init(body: .json(Self.followUp(try await FollowUps.find(id, owner: owner, on: request.db), today: FollowUps.day()))))
    }

    static func contactID(_ raw: String) throws -> UUID {
        guard let id = UUID(uuidString: raw) else { throw ContactsError.notFound }
        return id
    }

    static func contactDetail(_ id: UUID, owner: UUID, on request: Request) async throws -> Components.Schemas.Contact {
        let record = try await Contacts.require(id, owner: owner, on: request.db)
        var member: Components.Schemas.PersonRef?
        if let memberID = record.member_id {
            member = try await People.byID([memberID], on: request.db)[memberID].flatMap { person in
                person.slug.map { .init(name: person.name, slug: $0) }
            }
        }
        let next = try await FollowUps.of(contact: id, owner: owner, on: request.db).filter { $0.done_at == nil }.map(\.day).min()
        return contact(record, handles: try await Contacts.handles(of: [id], on: request.db)[id] ?? [],
                       tags: try await Contacts.tags(of: [id], on: request.db)[id] ?? [],
                       niches: try await Contacts.niches(of: [id], on: request.db)[id] ?? [], member: member,
                       settings: try await ContactSettings.load(owner, on: request.db), nextDue: next)
    }

    static func contact(_ record: ContactRecord, handles: [ContactHandleRecord], tags: [String], niches: [NicheTag],
                        member: Components.Schemas.PersonRef?, settings: ContactSettings, nextDue: String?) -> Components.Schemas.Contact {
        let days = settings.coolingDays(tags: tags)
        return .init(
            id: record.id.uuidString, name: record.name, business: record.business,
            emails: handles.filter { $0.kind == "email" }.map(\.value), phones: handles.filter { $0.kind == "phone" }.map(\.value),
            website: record.website, met: record.met, notes: record.notes, notesHtml: SafeMarkdown().html(record.notes), tags: tags,
            niches: niches.map { .init(slug: $0.slug, name: $0.name) }, member: member, lastTouchAt: record.last_touch_at,
            lastReplyAt: record.last_reply_at,
            cooling: (record.last_touch_at ?? record.created_at) < Date().addingTimeInterval(-Double(days) * 86_400),
            nextFollowUp: nextDue, createdAt: record.created_at, updatedAt: record.updated_at)
    }

    static func followUp(_ row: FollowUpRecord, today: String) -> Components.Schemas.FollowUp {
        let state: Components.Schemas.FollowUp.StatePayload = row.answered_at != nil ? .answered : row.done_at != nil ? .done
            : row.snoozed_until.map { $0 > today } == true ? .snoozed : row.day < today ? .overdue : row.day == today ? .due : .upcoming
        return .init(id: row.id.uuidString, contactId: row.contact_id.uuidString, contactName: row.contact_name, purpose: row.purpose,
                     due: row.due_on, snoozedUntil: row.snoozed_until, state: state, emailedAt: row.emailed_at, answeredAt: row.answered_at,
                     doneAt: row.done_at, createdAt: row.created_at)
    }
}
