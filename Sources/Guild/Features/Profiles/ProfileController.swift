import Fluent
import Vapor

/// Editing a profile: the owner always, organizers to moderate (the page itself: `ProfilePageController`).
struct ProfileController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let signedIn = routes.grouped(RequireSignInMiddleware())
        signedIn.get("profile", "edit", use: editOwn)
        signedIn.post("profile", "edit", use: saveOwn)
        signedIn.get("m", ":slug", "edit", use: editOther)
        signedIn.post("m", ":slug", "edit", use: saveOther)
    }

    func editOwn(req: Request) async throws -> View {
        let user = try req.requireUser()
        var input: ProfileInput?
        if let profile = try await Profile.find(userID: user.requireID(), on: req.db) {
            input = try await Profiles.input(from: profile, on: req.db)
        }
        return try await req.view.render("Profiles/edit", ProfileEditPage(
            layout: req.layout(title: "Your profile"), heading: "Your profile", action: "/profile/edit",
            input: input ?? ProfileInput()))
    }

    func saveOwn(req: Request) async throws -> Response {
        try await save(for: req.requireUser(), action: "/profile/edit", heading: "Your profile", on: req)
    }

    /// Organizers may edit anyone's profile; a member editing their own is sent to /profile/edit.
    func editOther(req: Request) async throws -> Response {
        let (profile, owner) = try await moderated(req)
        if owner.id == req.currentUser?.id { return req.redirect(to: "/profile/edit") }
        return try await req.view.render("Profiles/edit", ProfileEditPage(
            layout: req.layout(title: "Edit \(owner.name)"), heading: "Edit \(owner.name)’s profile",
            action: "/m/\(profile.slug)/edit", input: Profiles.input(from: profile, on: req.db))).encodeResponse(for: req)
    }

    func saveOther(req: Request) async throws -> Response {
        let (profile, owner) = try await moderated(req)
        return try await save(for: owner, action: "/m/\(profile.slug)/edit", heading: "Edit \(owner.name)’s profile", on: req)
    }

    private func moderated(_ req: Request) async throws -> (Profile, User) {
        let user = try req.requireUser()
        guard let profile = try await Profile.find(slug: req.parameters.get("slug") ?? "", on: req.db) else {
            throw CommonError.notFound
        }
        guard profile.$user.id == user.id || user.role.canOrganize else { throw CommonError.forbidden }
        return (profile, profile.user)
    }

    private func save(for owner: User, action: String, heading: String, on req: Request) async throws -> Response {
        let input = ProfileInput(form: try req.content.decode([String: String].self))
        do {
            let profile = try await Profiles.save(input, for: owner, on: req.db)
            req.flash(.success, "Profile saved.")
            return req.redirect(to: "/m/\(profile.slug)", redirectType: .normal)
        } catch let error as any AppError {
            var page = ProfileEditPage(layout: req.layout(title: heading), heading: heading, action: action, input: input)
            page.show(error)
            return try await req.view.render("Profiles/edit", page).encodeResponse(for: req).with(error)
        }
    }
}
