import Fluent
import Habits
import Validation
import Vapor

/// Disciplines as pages, for signed-in members: the page of all of them, one discipline, logging
/// days, pauses, the time zone, the partner and cheers. Reading and Loop files are in
/// `DisciplinesController+Reading.swift`.
struct DisciplinesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let member = routes.grouped(RequireSignInMiddleware())
        member.get("disciplines", use: index)
        member.post("disciplines", use: create)
        member.post("disciplines", "zone", use: setZone)
        member.post("disciplines", "pauses", use: addPause)
        member.post("disciplines", "pauses", ":pauseID", "delete", use: deletePause)
        member.post("disciplines", "partner", use: askPartner)
        member.post("disciplines", "partner", ":partnerID", "accept", use: accept)
        member.post("disciplines", "partner", ":partnerID", "decline", use: decline)
        member.post("disciplines", "partner", ":partnerID", "end", use: endPartner)
        member.get("disciplines", "of", ":memberID", use: partnerView)
        member.post("disciplines", "of", ":memberID", "cheer", use: cheer)
        member.get("disciplines", ":disciplineID", use: show)
        member.post("disciplines", ":disciplineID", use: update)
        member.post("disciplines", ":disciplineID", "delete", use: delete)
        member.post("disciplines", ":disciplineID", "days", use: logDay)
        registerReading(member)
    }

    func me(_ req: Request) throws -> UUID { try req.requireUser().requireID() }

    func index(req: Request) async throws -> View {
        let me = try me(req)
        return try await req.view.render("Disciplines/index", try await DisciplinesPage.query(req, member: me, viewer: me))
    }

    /// Re-renders the page with an error beside the form it came from.
    func index(_ req: Request, error: DisciplinesError, _ fill: (inout DisciplinesPage) -> Void = { _ in }) async throws -> Response {
        let me = try me(req)
        var page = try await DisciplinesPage.query(req, member: me, viewer: me)
        fill(&page)
        page.show(error)
        return try await req.view.render("Disciplines/index", page).encodeResponse(for: req).with(error)
    }

    struct DisciplineFields: Content { var name: String?; var kind: String?; var target: String?; var niche: String?; var tag: String? }

    func input(_ fields: DisciplineFields) throws -> DisciplineInput {
        let target = fields.target.map { $0.trimmingWhitespace() }
        if let target, !target.isEmpty, Int(target) == nil {
            throw DisciplinesError.invalid(field: "target", "The target is a whole number.")
        }
        return DisciplineInput(name: fields.name ?? "", kind: fields.kind ?? "", target: target.flatMap { Int($0) }, niche: fields.niche, tag: fields.tag)
    }

    func create(req: Request) async throws -> Response {
        let fields = try req.content.decode(DisciplineFields.self)
        do {
            _ = try await Disciplines.create(try input(fields), member: try me(req), on: req.db)
            req.flash(.success, "Added. Log today's with one tap below.")
            return req.redirect(to: "/disciplines", redirectType: .normal)
        } catch let error as DisciplinesError {
            return try await index(req, error: error) { page in
                page.form = .init(name: fields.name ?? "", kind: fields.kind ?? "", target: fields.target ?? "", niche: fields.niche ?? "", tag: fields.tag ?? "")
            }
        }
    }

    func id(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("disciplineID", as: UUID.self) else { throw DisciplinesError.notFound }
        return id
    }

    func show(req: Request) async throws -> View {
        try await req.view.render("Disciplines/show", try await DisciplinePage.query(req, id: try id(req), member: try me(req)))
    }

    func show(_ req: Request, error: DisciplinesError, _ fill: (inout DisciplinePage) -> Void = { _ in }) async throws -> Response {
        var page = try await DisciplinePage.query(req, id: try id(req), member: try me(req))
        fill(&page)
        page.show(error)
        return try await req.view.render("Disciplines/show", page).encodeResponse(for: req).with(error)
    }

    func update(req: Request) async throws -> Response {
        let id = try id(req)
        let fields = try req.content.decode(DisciplineFields.self)
        do {
            try await Disciplines.update(id, try input(fields), member: try me(req), on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/disciplines/\(id)", redirectType: .normal)
        } catch let error as DisciplinesError where error != .notFound {
            return try await show(req, error: error) { page in
                page.form = .init(name: fields.name ?? "", kind: fields.kind ?? "", target: fields.target ?? "", niche: fields.niche ?? "", tag: fields.tag ?? "")
            }
        }
    }

    func delete(req: Request) async throws -> Response {
        try await Disciplines.delete(try id(req), member: try me(req), on: req.db)
        req.flash(.success, "Deleted, with its days.")
        return req.redirect(to: "/disciplines", redirectType: .normal)
    }

    struct DayFields: Content { var day: String?; var minutes: String?; var done: String?; var note: String?; var link: String?; var back: String? }

    /// Logs a day: the one-tap buttons send today and the target (or done); the day form anything.
    func logDay(req: Request) async throws -> Response {
        let id = try id(req)
        let me = try me(req)
        let fields = try req.content.decode(DayFields.self)
        let back = fields.back == "show" ? "/disciplines/\(id)" : "/disciplines"
        do {
            let minutesText = (fields.minutes ?? "").trimmingWhitespace()
            guard minutesText.isEmpty || Int(minutesText) != nil else {
                throw DisciplinesError.invalid(field: "minutes", "Minutes are a whole number (0 to 1,440).")
            }
            let day = (fields.day ?? "").isEmpty ? try await Disciplines.today(of: me, on: req.db).iso : fields.day ?? ""
            let saved = try await Disciplines.setDay(
                id, day: day, DayInput(minutes: Int(minutesText), done: fields.done.map { $0 == "yes" }, note: fields.note, link: fields.link),
                member: me, on: req.db)
            req.flash(.success, saved == nil ? "Cleared \(day)." : "Logged \(day).")
            return req.redirect(to: back, redirectType: .normal)
        } catch let error as DisciplinesError where error != .notFound {
            if fields.back == "show" { return try await show(req, error: error) }
            return try await index(req, error: error)
        }
    }

    func setZone(req: Request) async throws -> Response {
        struct Fields: Content { var zone: String? }
        let raw = try req.content.decode(Fields.self).zone ?? ""
        guard let zone = Disciplines.validZone(raw) else {
            return try await index(req, error: .invalid(field: "zone", "Give a time zone as its IANA name, e.g. America/Chicago or Europe/London."))
        }
        try await Disciplines.setZone(try me(req), zone, on: req.db)
        req.flash(.success, "Your days now follow \(Disciplines.name(zone)).")
        return req.redirect(to: "/disciplines", redirectType: .normal)
    }

    func addPause(req: Request) async throws -> Response {
        struct Fields: Content { var from: String?; var through: String?; var reason: String?; var note: String? }
        let fields = try req.content.decode(Fields.self)
        let me = try me(req)
        do {
            _ = try await DisciplinePauses.create(me, from: fields.from ?? "", through: fields.through ?? "", reason: fields.reason ?? "",
                                                  note: fields.note ?? "", today: try await Disciplines.today(of: me, on: req.db), on: req.db)
            req.flash(.success, "Paused: those days neither break a streak nor lower strength.")
            return req.redirect(to: "/disciplines", redirectType: .normal)
        } catch let error as DisciplinesError {
            return try await index(req, error: error)
        }
    }

    func deletePause(req: Request) async throws -> Response {
        guard let id = req.parameters.get("pauseID", as: UUID.self) else { throw DisciplinesError.notFound }
        try await DisciplinePauses.delete(id, member: try me(req), on: req.db)
        req.flash(.success, "Pause removed.")
        return req.redirect(to: "/disciplines", redirectType: .normal)
    }

    func askPartner(req: Request) async throws -> Response {
        struct Fields: Content { var with: String?; var message: String? }
        let fields = try req.content.decode(Fields.self)
        do {
            _ = try await DisciplinePartners.ask(try me(req), partnerSlug: FormText.profileSlug(fields.with ?? ""), message: fields.message ?? "",
                                                 baseURL: req.application.guildConfig.baseURL, on: req.db)
            req.flash(.success, "Asked. They see your disciplines once they accept.")
            return req.redirect(to: "/disciplines", redirectType: .normal)
        } catch let error as DisciplinesError {
            return try await index(req, error: error)
        }
    }

    func partnerID(_ req: Request) -> UUID? { req.parameters.get("partnerID", as: UUID.self) }

    func accept(req: Request) async throws -> Response {
        try await DisciplinePartners.answer(partnerID(req), accept: true, by: try me(req), baseURL: req.application.guildConfig.baseURL, on: req.db)
        req.flash(.success, "You are their partner now: their disciplines are linked below.")
        return req.redirect(to: "/disciplines", redirectType: .normal)
    }

    func decline(req: Request) async throws -> Response {
        try await DisciplinePartners.answer(partnerID(req), accept: false, by: try me(req), baseURL: req.application.guildConfig.baseURL, on: req.db)
        req.flash(.success, "Declined.")
        return req.redirect(to: "/disciplines", redirectType: .normal)
    }

    func endPartner(req: Request) async throws -> Response {
        try await DisciplinePartners.end(partnerID(req), by: try me(req), on: req.db)
        req.flash(.success, "Ended.")
        return req.redirect(to: "/disciplines", redirectType: .normal)
    }

    /// A member's disciplines as their accepted partner sees them; anyone else: not found.
    func partnerView(req: Request) async throws -> Response {
        let me = try me(req)
        guard let member = req.parameters.get("memberID", as: UUID.self),
              try await DisciplinePartners.maySee(member, viewer: me, on: req.db) else { throw DisciplinesError.memberNotFound }
        if member == me { return req.redirect(to: "/disciplines", redirectType: .normal) }
        return try await req.view.render("Disciplines/index", try await DisciplinesPage.query(req, member: member, viewer: me)).encodeResponse(for: req)
    }

    func cheer(req: Request) async throws -> Response {
        guard let member = req.parameters.get("memberID", as: UUID.self) else { throw DisciplinesError.memberNotFound }
        let new = try await DisciplinePartners.cheer(member, from: try me(req), baseURL: req.application.guildConfig.baseURL, on: req.db)
        req.flash(.success, new ? "Cheer sent." : "You cheered them on today already.")
        return req.redirect(to: "/disciplines/of/\(member)", redirectType: .normal)
    }
}
