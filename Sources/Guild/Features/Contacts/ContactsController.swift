import Fluent
import SafeMarkdown
import Validation
import Vapor

/// The address book as pages: the list, the one-handed quick-add for events, a contact's page with its
/// follow-ups, touches and emails, and editing. Signed-in members only, each seeing only their own.
struct ContactsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("contacts", use: list)
        routes.get("contacts", "new", use: newForm)
        routes.post("contacts", use: create)
        routes.get("contacts", ":contactID", use: show)
        routes.get("contacts", ":contactID", "edit", use: editForm)
        routes.post("contacts", ":contactID", use: update)
        routes.post("contacts", ":contactID", "delete", use: delete)
        routes.post("contacts", ":contactID", "member", use: linkMember)
        try ContactsController.bootFollowUps(routes)
        try ContactsController.bootFiles(routes)
    }

    struct FormInput: Content {
        var name: String?
        var business: String?
        var emails: String?
        var phones: String?
        var website: String?
        var met: String?
        var tags: String?
        var niches: String?
        var notes: String?
        var member: String?
        var followUpDays: String?
        var followUpPurpose: String?

        var form: ContactFormPage.Form {
            .init(name: name ?? "", business: business ?? "", emails: emails ?? "", phones: phones ?? "", website: website ?? "",
                  met: met ?? "", tags: tags ?? "", niches: niches ?? "", notes: notes ?? "", member: member ?? "",
                  followUpDays: followUpDays ?? "", followUpPurpose: followUpPurpose ?? "")
        }
    }

    static func draft(_ form: ContactFormPage.Form) -> ContactDraft {
        ContactDraft(fields: ContactFields(
            name: form.name, business: form.business, emails: FormText.list(form.emails).map { .init($0) },
            phones: form.phones.split(whereSeparator: \.isNewline).map { .init(String($0)) }, website: form.website, met: form.met,
            notes: form.notes, tags: FormText.list(form.tags)),
                     niches: FormText.list(form.niches), memberSlug: form.member)
    }

    func list(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        let query = String((req.query[String.self, at: "q"] ?? "").prefix(100))
        let tag = String((req.query[String.self, at: "tag"] ?? "").prefix(40))
        let cooling = ["true", "on", "1"].contains(req.query[String.self, at: "cooling"] ?? "")
        // Pages by keyset: `after` the last contact shown (Next) or `before` the first (Previous).
        let after = req.query[UUID.self, at: "after"]
        let before = after == nil ? req.query[UUID.self, at: "before"] : nil
        let filter = ContactList.Filter(query: query, tag: tag, cooling: cooling, limit: Contacts.pageSize + 1, after: after, before: before)
        // The reads that do not wait for the page's rows go at once, each on a connection of its own
        // where the database has several (PostgreSQL): the page waits for the slowest, not the sum.
        async let settingsRead = ContactSettings.load(owner, on: req.db)
        async let tagCounts = ContactList.tagCounts(of: owner, on: req.db)
        async let total = ContactList.count(of: owner, on: req.db)
        let rows = try await ContactList.rows(of: owner, filter, on: req.db)
        // Backwards pages come nearest first; the page shows them in name order.
        let more = rows.count > Contacts.pageSize
        let shown = before != nil ? Array(rows.prefix(Contacts.pageSize).reversed()) : Array(rows.prefix(Contacts.pageSize))
        let tags = try await Contacts.tags(of: shown.map(\.id), on: req.db)
        let settings = try await settingsRead
        var items = shown.map { ContactCardView($0, tags: tags[$0.id] ?? [], settings: settings) }
        if cooling { items = items.filter(\.cooling) }
        var links = URLComponents()
        links.queryItems = [URLQueryItem(name: "q", value: query), URLQueryItem(name: "tag", value: tag)] + (cooling ? [URLQueryItem(name: "cooling", value: "true")] : [])
        let filters = links.percentEncodedQuery ?? ""
        let hasNext = before != nil ? !shown.isEmpty : more
        let hasPrevious = before != nil ? more : after != nil && !shown.isEmpty
        return try await req.view.render("Contacts/index", ContactsListPage(
            layout: req.layout(title: "Contacts"), query: query, tag: tag, cooling: cooling,
            tags: try await tagCounts.map { .init(tag: $0.tag, count: $0.count) },
            shown: items.count, itemsHTML: items.map(\.html).joined(), total: try await total,
            nextLink: hasNext ? shown.last.map { "/contacts?after=\($0.id)&\(filters)" } : nil,
            previousLink: hasPrevious ? shown.first.map { "/contacts?before=\($0.id)&\(filters)" } : nil))
    }

    func newForm(req: Request) async throws -> View {
        _ = try req.requireUser()
        var form = ContactFormPage.Form()
        form.met = String((req.query[String.self, at: "met"] ?? "").prefix(200))
        form.followUpDays = "3"
        return try await req.view.render("Contacts/new", ContactFormPage(layout: req.layout(title: "Add a contact"), form: form))
    }

    /// Saves a card; from the quick-add page it goes back there for the next card, with a follow-up if asked for.
    func create(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        let form = try req.content.decode(FormInput.self).form
        do {
            var followUpDue: String?
            if let days = Int(form.followUpDays), days > 0 {
                guard days <= 365 else { throw ContactsError.invalid(field: "followUpDays", "Follow up within a year.") }
                followUpDue = FollowUps.day(offsetDays: days)
                _ = try FollowUps.checkedPurpose(form.followUpPurpose.isEmpty ? "Follow up" : form.followUpPurpose)
            }
            let id = try await Contacts.create(Self.draft(form), owner: owner, on: req.db)
            if let followUpDue {
                _ = try await FollowUps.create(contact: id, purpose: form.followUpPurpose.isEmpty ? "Follow up" : form.followUpPurpose,
                                               due: followUpDue, owner: owner, on: req.db)
            }
            if req.query[String.self, at: "quick"] == "1" {
                req.flash(.success, "Saved \(form.name.isEmpty ? "the card" : form.name)." + (followUpDue.map { " Follow-up on \($0)." } ?? "") + " Next card:")
                let met = form.met.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return req.redirect(to: "/contacts/new?met=\(met)", redirectType: .normal)
            }
            req.flash(.success, "Contact saved.")
            return req.redirect(to: "/contacts/\(id)", redirectType: .normal)
        } catch let error as ContactsError {
            let error = error.asFormError
            var page = ContactFormPage(layout: req.layout(title: "Add a contact"), form: form)
            page.show(error)
            return try await req.view.render("Contacts/new", page).encodeResponse(for: req).with(error)
        }
    }

    func show(req: Request) async throws -> View {
        try await req.view.render("Contacts/show", try await Self.page(req))
    }

    static func page(_ req: Request, error: (any AppError)? = nil) async throws -> ContactPage {
        let owner = try req.requireUser().requireID()
        let record = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        let handles = try await Contacts.handles(of: [record.id], on: req.db)[record.id] ?? []
        let tags = try await Contacts.tags(of: [record.id], on: req.db)[record.id] ?? []
        let settings = try await ContactSettings.load(owner, on: req.db)
        let coolingDays = settings.coolingDays(tags: tags)
        var member: ContactPage.Member?
        if let memberID = record.member_id {
            member = try await People.byID([memberID], on: req.db)[memberID].flatMap { person in
                person.slug.map { .init(slug: $0, name: person.name) }
            }
        }
        let emails = handles.filter { $0.kind == "email" }
        let suggestion = member == nil
            ? try await Contacts.memberSuggestion(for: emails.map(\.value), owner: owner, on: req.db).map { ContactPage.Member(slug: $0.slug, name: $0.name) } : nil
        let today = FollowUps.day()
        var page = ContactPage(
            layout: req.layout(title: record.name), id: record.id, name: record.name, business: record.business, website: record.website,
            met: record.met, notesHTML: SafeMarkdown().html(record.notes),
            emails: emails.map { .init(value: $0.value, types: $0.types.replacingOccurrences(of: ",", with: ", "), href: "mailto:" + $0.value) },
            phones: handles.filter { $0.kind == "phone" }.map {
                .init(value: $0.value, types: $0.types.replacingOccurrences(of: ",", with: ", "),
                      href: "tel:" + (ContactRules.phoneKey($0.value) ?? $0.value))
            },
            tags: tags, niches: try await Contacts.niches(of: [record.id], on: req.db)[record.id] ?? [], member: member, suggestion: suggestion,
            lastTouch: record.last_touch_at?.dayDisplay, lastReply: record.last_reply_at?.dayDisplay,
            cooling: (record.last_touch_at ?? record.created_at) < Date().addingTimeInterval(-Double(coolingDays) * 86_400),
            coolingDays: coolingDays,
            followUps: try await FollowUps.of(contact: record.id, owner: owner, on: req.db).map { f in
                let state = f.done_at == nil
                    ? (f.day < today ? "overdue" : f.day == today ? "due today" : f.snoozed_until != nil ? "snoozed to \(f.day)" : "due \(f.day)")
                    : (f.answered_at != nil ? "answered" : "done")
                return .init(id: f.id, purpose: f.purpose, day: f.day, state: state, open: f.done_at == nil, emailed: f.emailed_at != nil)
            },
            touches: try await FollowUps.touches(of: record.id, owner: owner, on: req.db).map {
                .init(kind: TouchKind(rawValue: $0.kind)?.label ?? $0.kind, outcome: $0.outcome, when: $0.happened_at.dayDisplay)
            },
            sent: try await ContactMail.sent(to: record.id, owner: owner, on: req.db).map {
                .init(id: $0.id, subject: $0.subject, recipient: $0.recipient, when: $0.sent_at.dayDisplay, answered: $0.answered_at != nil)
            },
            touchKinds: TouchKind.allCases.filter { $0 != .email }.map { .init(value: $0.rawValue, label: $0.label) },
            defaultDue: FollowUps.day(offsetDays: 7), today: today)
        if let error { page.show(error) }
        return page
    }

    func editForm(req: Request) async throws -> View {
        let owner = try req.requireUser().requireID()
        let record = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        let handles = try await Contacts.handles(of: [record.id], on: req.db)[record.id] ?? []
        let tags = try await Contacts.tags(of: [record.id], on: req.db)[record.id] ?? []
        let niches = try await Contacts.niches(of: [record.id], on: req.db)[record.id] ?? []
        var memberSlug = ""
        if let memberID = record.member_id {
            memberSlug = try await People.byID([memberID], on: req.db)[memberID]?.slug ?? ""
        }
        let form = ContactFormPage.Form(
            name: record.name, business: record.business, emails: handles.filter { $0.kind == "email" }.map(\.value).joined(separator: "\n"),
            phones: handles.filter { $0.kind == "phone" }.map(\.value).joined(separator: "\n"), website: record.website, met: record.met,
            tags: tags.joined(separator: ", "), niches: niches.map(\.name).joined(separator: ", "), notes: record.notes, member: memberSlug)
        return try await req.view.render("Contacts/edit", ContactFormPage(layout: req.layout(title: "Edit \(record.name)"), form: form, contactID: record.id, editing: true))
    }

    func update(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        let record = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        let form = try req.content.decode(FormInput.self).form
        do {
            try await Contacts.update(record.id, Self.draft(form), owner: owner, on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/contacts/\(record.id)", redirectType: .normal)
        } catch let error as ContactsError {
            let error = error.asFormError
            var page = ContactFormPage(layout: req.layout(title: "Edit \(record.name)"), form: form, contactID: record.id, editing: true)
            page.show(error)
            return try await req.view.render("Contacts/edit", page).encodeResponse(for: req).with(error)
        }
    }

    func delete(req: Request) async throws -> Response {
        let owner = try req.requireUser().requireID()
        try await Contacts.delete(req.parameters.get("contactID", as: UUID.self) ?? UUID(), owner: owner, on: req.db)
        req.flash(.success, "Contact deleted, with its follow-ups and history.")
        return req.redirect(to: "/contacts", redirectType: .normal)
    }

    /// Links the contact to the Guild member the page suggested (or unlinks with an empty slug).
    func linkMember(req: Request) async throws -> Response {
        struct Input: Content { var member: String? }
        let owner = try req.requireUser().requireID()
        let record = try await Contacts.require(req.parameters.get("contactID", as: UUID.self), owner: owner, on: req.db)
        let slug = (try req.content.decode(Input.self).member ?? "").trimmingWhitespace()
        var memberID: UUID?
        if !slug.isEmpty {
            guard slug.count <= 100, let member = try await Profiles.userID(slug: slug, on: req.db)
            else { throw ContactsError.invalid(field: "member", "No member has the profile “\(slug.prefix(80))”.") }
            memberID = member
        }
        try await req.db.sql.raw("UPDATE contacts SET member_id = \(bind: memberID) WHERE id = \(bind: record.id) AND owner_id = \(bind: owner)").run()
        req.flash(.success, memberID == nil ? "No longer linked to a Guild profile." : "Linked to their Guild profile.")
        return req.redirect(to: "/contacts/\(record.id)", redirectType: .normal)
    }
}
