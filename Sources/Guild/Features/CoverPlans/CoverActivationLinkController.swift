import Fluent
import Validation
import Vapor

/// The page a trusted contact reaches from their emailed link, on a phone, never having seen Guild:
/// one sentence of what it does, an optional return date and note, one button. No account needed;
/// throttled per address; every opening and use is logged for the member.
struct CoverActivationLinkController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cover", "activate", ":token", use: show)
        routes.post("cover", "activate", ":token", use: activate)
    }

    struct Page: Encodable, FormPage {
        var layout: Layout
        var token: String
        var name: String
        var contactName: String
        var valid: Bool
        var done: Bool = false
        var firstBackup: String?
        var expectedBack = ""
        var note = ""
        var errors: [String: String] = [:]
        var formError: String?
    }

    func show(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await CoverTrustedContacts.throttle.consume("cover-link:ip:\(req.clientIP)", on: req.db)
        guard let contact = try await CoverTrustedContacts.usable(token: token, on: req.db) else { return try await invalid(req) }
        try await CoverTrustedContacts.opened(contact, on: req.db)
        let name = try await People.byID([contact.member_id], on: req.db)[contact.member_id]?.name ?? "The member"
        let page = Page(layout: req.layout(title: "Switch on \(name)'s cover"), token: token, name: name, contactName: contact.name, valid: true)
        return try await req.view.render("Cover/activate", page).encodeResponse(for: req).noReferrer()
    }

    func activate(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await CoverTrustedContacts.throttle.consume("cover-link:ip:\(req.clientIP)", on: req.db)
        let input = try req.content.decode(CoverController.OutInput.self)
        guard let contact = try await CoverTrustedContacts.usable(token: token, on: req.db) else { return try await invalid(req) }
        let name = try await People.byID([contact.member_id], on: req.db)[contact.member_id]?.name ?? "The member"
        var page = Page(layout: req.layout(title: "Switch on \(name)'s cover"), token: token, name: name, contactName: contact.name, valid: true)
        do {
            let (back, note) = try input.parsed()
            let (member, _) = try await CoverTrustedContacts.activate(
                token: token, expectedBack: back, note: note, baseURL: req.application.guildConfig.baseURL,
                cipher: req.application.runbookCipher, on: req.db)
            let first = try await CoverBackups.available(for: member, on: req.db).first
            page.done = true
            if let first { page.firstBackup = try await People.byID([first], on: req.db)[first]?.name }
            page.layout = req.layout(title: "\(name)'s cover is on")
            return try await req.view.render("Cover/activate", page).encodeResponse(for: req).noReferrer()
        } catch let error as CoverPlansError where error != .linkNotValid {
            page.expectedBack = input.expectedBack ?? ""
            page.note = input.note ?? ""
            page.show(error)
            return try await req.view.render("Cover/activate", page).encodeResponse(for: req).with(error).noReferrer()
        }
    }

    func invalid(_ req: Request) async throws -> Response {
        let page = Page(layout: req.layout(title: "This link does not work"), token: "", name: "", contactName: "", valid: false,
                        formError: CoverPlansError.linkNotValid.reason)
        let response = try await req.view.render("Cover/activate", page).encodeResponse(for: req).noReferrer()
        response.status = .notFound
        return response
    }
}

extension Response {
    /// The address holds a secret token: browsers must not send it on in a Referer header.
    func noReferrer() -> Response {
        headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return self
    }
}
