import Fluent
import Formats
import Vapor

/// Import (vCard at once; CSV through a column-mapping step), export, duplicates and merging, settings.
extension ContactsController {
    /// A 10 MB file and its form fields (a few hundred bytes): anything longer holds a bigger file,
    /// and is refused before it is parsed.
    static let contactUpload = BodyPolicy(limit: ContactFiles.maxFileSize + 4 * 1024, maxMultipartParts: 4, tooLarge: ContactsError.tooLarge.reason)

    static func bootFiles(_ routes: any RoutesBuilder) throws {
        let controller = ContactsController()
        routes.get("contacts", "import", use: controller.importForm)
        routes.on(.POST, "contacts", "import", body: .collect(maxSize: .init(value: contactUpload.limit)), use: controller.upload)
            .accepting(contactUpload)
        routes.post("contacts", "import", ":importID", use: controller.confirmMapping)
        routes.get("contacts", "export.vcf", use: controller.export)
        routes.get("contacts", "duplicates", use: controller.duplicates)
        routes.get("contacts", ":contactID", "merge", ":otherID", use: controller.mergeForm)
        routes.post("contacts", ":contactID", "merge", ":otherID", use: controller.merge)
        routes.get("contacts", "settings", use: controller.settingsForm)
        routes.post("contacts", "settings", use: controller.saveSettings)
    }

    func importForm(req: Request) async throws -> View {
        _ = try req.requireUser()
        return try await req.view.render("Contacts/import", ContactImportPage(layout: req.layout(title: "Import contacts")))
    }

    func upload(req: Request) async throws -> Response {
        struct Upload: Content { var file: File? }
        let owner = try req.requireUser().requireID()
        var page = ContactImportPage(layout: req.layout(title: "Import contacts"))
        func refuse(_ error: ContactsError) async throws -> Response {
            page.show(error)
            return try await req.view.render("Contacts/import", page).encodeResponse(for: req).with(error)
        }
        guard let file = try? req.content.decode(Upload.self).file, file.data.readableBytes > 0 else {
            return try await refuse(.invalid(field: "file", "Choose a .vcf or .csv file your phone or address book exported."))
        }
        guard file.data.readableBytes <= ContactFiles.maxFileSize else { return try await refuse(.tooLarge) }
        let data = Data(file.data.readableBytesView)
        let isCSV = file.filename.lowercased().hasSuffix(".csv") || file.contentType?.subType == "csv"
        do {
            if isCSV {
                let table = try await BulkExecutor.compute { try ContactCSV.table(data) }
                guard !table.rows.isEmpty else { return try await refuse(.file("The file has a header and no rows.")) }
                let id = UUID()
                try await req.db.sql.raw("""
                    INSERT INTO contact_imports (id, owner_id, filename, content, created_at)
                    VALUES (\(bind: id), \(bind: owner), \(bind: String(file.filename.prefix(200))), \(bind: String(decoding: data, as: UTF8.self)), \(bind: Date()))
                    """).run()
                // Uploads whose mapping was never confirmed are dropped after a day.
                try await req.db.sql.raw("DELETE FROM contact_imports WHERE created_at < \(bind: Date().addingTimeInterval(-86_400))").run()
                return try await req.view.render("Contacts/mapping", mappingPage(req, id: id, filename: file.filename, table: table))
                    .encodeResponse(for: req)
            }
            let parsed = try await BulkExecutor.compute { try VCard.parse(data) }
            guard !parsed.cards.isEmpty || !parsed.problems.isEmpty else {
                return try await refuse(.file("The file holds no vCards (BEGIN:VCARD … END:VCARD). Export contacts as vCard (.vcf) or CSV."))
            }
            page.report = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: owner, on: req.db)
            return try await req.view.render("Contacts/import", page).encodeResponse(for: req)
        } catch let error as ContactFileError {
            return try await refuse(.file(error.reason))
        }
    }

    func mappingPage(_ req: Request, id: UUID, filename: String, table: ContactCSV.Table) -> ContactMappingPage {
        let guessed = ContactCSV.guessMapping(table.header)
        return ContactMappingPage(
            layout: req.layout(title: "Match the columns"), importID: id, filename: filename, rows: table.rows.count,
            columns: table.header.enumerated().map { index, header in
                .init(index: index, header: header.isEmpty ? "Column \(index + 1)" : header,
                      samples: table.rows.prefix(3).map { index < $0.count ? String($0[index].prefix(60)) : "" },
                      field: guessed[index].rawValue)
            },
            fields: ContactCSV.Field.allCases.map { .init(value: $0.rawValue, label: $0.label) })
    }

    func confirmMapping(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        guard let id = req.parameters.get("importID", as: UUID.self) else { throw ContactsError.notFound }
        struct Row: Decodable { var filename: String; var content: String }
        guard let upload = try await req.db.sql.raw("""
            SELECT filename, content FROM contact_imports WHERE id = \(bind: id) AND owner_id = \(bind: owner)
            """).first(decoding: Row.self) else {
            throw ContactsError.importGone
        }
        let table = try ContactCSV.table(Data(upload.content.utf8))
        var mapping: [ContactCSV.Field] = []
        for index in table.header.indices {
            let raw = (try? req.content.get(String.self, at: "column\(index)")) ?? "ignore"
            guard let field = ContactCSV.Field(rawValue: raw) else {
                throw ContactsError.invalid(field: "column\(index)", "Choose what column \(index + 1) holds.")
            }
            mapping.append(field)
        }
        guard mapping.contains(where: { $0 != .ignore }) else {
            var page = mappingPage(req, id: id, filename: upload.filename, table: table)
            page.show(ContactsError.invalid(field: "column0", "Choose at least one column to import (a name, an email or a phone)."))
            return try await req.view.render("Contacts/mapping", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let (cards, problems) = ContactCSV.cards(table, mapping: mapping)
        let report = try await ContactImport.run(cards, problems: problems, owner: owner, on: req.db)
        try await req.db.sql.raw("DELETE FROM contact_imports WHERE id = \(bind: id)").run()
        return try await req.view.render("Contacts/import", ContactImportPage(layout: req.layout(title: "Import contacts"), report: report))
            .encodeResponse(for: req)
    }

    func export(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        let version = VCard.Version(rawValue: req.query[String.self, at: "version"] ?? "3.0") ?? .v3
        return ContactImport.streamedResponse(owner, version: version, on: req)
    }

    func duplicates(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        return try await req.view.render("Contacts/duplicates", DuplicatesPage(
            layout: req.layout(title: "Possible duplicates"), pairs: try await ContactMerge.duplicates(of: owner, on: req.db)))
    }

    func side(_ id: UUID?, owner: UUID, on db: any Database) async throws -> MergePage.Side {
        let record = try await Contacts.require(id, owner: owner, on: db)
        let handles = try await Contacts.handles(of: [record.id], on: db)[record.id] ?? []
        struct Count: Decodable { var n: Int }
        return MergePage.Side(
            id: record.id, name: record.name, business: record.business, website: record.website, met: record.met,
            emails: handles.filter { $0.kind == "email" }.map(\.value), phones: handles.filter { $0.kind == "phone" }.map(\.value),
            tags: try await Contacts.tags(of: [record.id], on: db)[record.id] ?? [],
            followUps: try await db.sql.raw("SELECT COUNT(*) AS n FROM followups WHERE contact_id = \(bind: record.id)").first(decoding: Count.self)?.n ?? 0,
            notes: String(record.notes.prefix(300)))
    }

    func mergeForm(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        let keep = try await side(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        let other = try await side(req.parameters.get("otherID", as: UUID.self), owner: owner, on: req.db)
        guard keep.id != other.id else { throw ContactsError.sameContact }
        return try await req.view.render("Contacts/merge", MergePage(layout: req.layout(title: "Merge two contacts"), keep: keep, other: other))
    }

    func merge(req: Request) async throws -> Response {
        struct Input: Content { var name: String?; var business: String?; var website: String? }
        let owner = try req.requireUser().requireID()
        let input = try req.content.decode(Input.self)
        guard let keep = req.parameters.get("contactID", as: UUID.self), let other = req.parameters.get("otherID", as: UUID.self) else {
            throw ContactsError.notFound
        }
        try await ContactMerge.merge(keep: keep, other: other, name: input.name, business: input.business, website: input.website,
                                     owner: owner, on: req.db)
        req.flash(.success, "Merged into one contact, with both histories.")
        return req.redirect(to: "/contacts/\(keep)", redirectType: .normal)
    }

    func settingsForm(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        let settings = try await ContactSettings.load(owner, on: req.db)
        return try await req.view.render("Contacts/settings", ContactSettingsPage(
            layout: req.layout(title: "Contact settings"), replyDomain: settings.replyDomain ?? "",
            defaultDomain: req.application.guildConfig.effectiveReplyDomain, cooling: String(settings.cooling),
            tagCooling: settings.coolingByTag.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n")))
    }

    func saveSettings(req: Request) async throws -> Response {
        struct Input: Content { var replyDomain: String?; var cooling: String?; var tagCooling: String? }
        let owner = try req.requireUser().requireID()
        let input = try req.content.decode(Input.self)
        var page = ContactSettingsPage(layout: req.layout(title: "Contact settings"), replyDomain: input.replyDomain ?? "",
                                       defaultDomain: req.application.guildConfig.effectiveReplyDomain, cooling: input.cooling ?? "",
                                       tagCooling: input.tagCooling ?? "")
        do {
            let settings = try Self.settings(replyDomain: page.replyDomain, cooling: page.cooling, tagCooling: page.tagCooling)
            try await ContactSettings.save(settings, for: owner, on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/contacts/settings", redirectType: .normal)
        } catch let error as ContactsError {
            page.show(error)
            return try await req.view.render("Contacts/settings", page).encodeResponse(for: req).with(error)
        }
    }

    /// Settings from the form: a domain or nothing, days from 1 to 3650, and "tag: days" lines.
    static func settings(replyDomain: String, cooling: String, tagCooling: String) throws -> ContactSettings {
        var settings = ContactSettings()
        if !replyDomain.trimmingWhitespace().isEmpty {
            guard let domain = ContactMailRules.domain(replyDomain) else {
                throw ContactsError.invalid(field: "replyDomain", "Give a domain name like reply.example.com, or leave it empty for Guild's.")
            }
            settings.replyDomain = domain
        }
        guard let days = Int(cooling.trimmingWhitespace()), (1...3650).contains(days) else {
            throw ContactsError.invalid(field: "cooling", "Give a number of days from 1 to 3650.")
        }
        settings.cooling = days
        for line in tagCooling.split(whereSeparator: \.isNewline) where !String(line).trimmingWhitespace().isEmpty {
            let parts = line.split(separator: ":", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 40, let days = Int(parts[1]), (1...3650).contains(days) else {
                throw ContactsError.invalid(field: "tagCooling", "Write one “tag: days” per line, like “clients: 30”.")
            }
            settings.coolingByTag[parts[0].lowercased()] = days
        }
        guard settings.coolingByTag.count <= 50 else { throw ContactsError.invalid(field: "tagCooling", "At most 50 tags.") }
        return settings
    }
}
