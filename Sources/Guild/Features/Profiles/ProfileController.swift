import Fluent
import Vapor

/// Public profile pages, and editing them: the owner always, organizers to moderate.
struct ProfileController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("m", ":slug", use: show)
        let signedIn = routes.grouped(RequireSignInMiddleware())
        signedIn.get("profile", "edit", use: editOwn)
        signedIn.post("profile", "edit", use: saveOwn)
        signedIn.get("m", ":slug", "edit", use: editOther)
        signedIn.post("m", ":slug", "edit", use: saveOther)
    }

    func show(req: Request) async throws -> View {
        let slug = req.parameters.get("slug") ?? ""
        guard let profile = try await ProfileDetail.cached(slug: slug, for: req) else {
            throw CommonError.notFound
        }
        let user = req.currentUser
        let isOwner = user?.id == profile.userID
        let availability: String
        switch Availability(rawValue: profile.availability) ?? .available {
        case .available: availability = "Available for new work"
        case .busy: availability = "Busy: referrals welcome, replies may be slow"
        case .away: availability = "Away" + (profile.awayUntil.map { " until \(CalendarDay.string($0))" } ?? "")
        }
        // Testimonials: the same for every visitor, so rendered once per directory generation (their
        // table moves it); the member sees their hidden ones too, with the switch to show them again.
        let testimonials: String
        if isOwner {
            testimonials = try await req.view.render("Profiles/testimonials", TestimonialsFragment(
                items: try await Testimonials.about(profile.userID, includingHidden: true, on: req.db), own: true,
                csrf: req.layout(title: "").csrf)).html
        } else {
            testimonials = try await req.application.fragments.value(for: "testimonials:\(profile.userID)", on: req.db) {
                Fragment(title: "", html: try await req.view.render("Profiles/testimonials", TestimonialsFragment(
                    items: try await Testimonials.about(profile.userID, on: req.db), own: false, csrf: "")).html)
            }?.html ?? ""
        }
        // Posts change apart from the directory, so they are read each time: one indexed query of five rows.
        let posts = try await Posts.list(.init(author: profile.userID, membersOnlyToo: user != nil, limit: 5), on: req.db)
        var layout = req.layout(title: profile.name)
        layout.feeds = [.init(title: "Guild: posts by \(profile.name)", href: "/feeds/members/\(profile.slug).atom")]
        return try await req.view.render("Profiles/profile", ProfilePage(
            layout: layout, profile: profile, availabilityText: availability,
            canEdit: isOwner || user?.role.canOrganize == true,
            editPath: isOwner ? "/profile/edit" : "/m/\(profile.slug)/edit", testimonials: testimonials,
            posts: posts.map { PostView($0, niches: [], viewer: user) },
            circles: try await Circles.of(profile.userID, on: req.db).map(CircleCardView.init),
            cover: try await req.application.fragments.value(for: "cover:\(profile.userID)", on: req.db) {
                Fragment(title: "", html: CoverProfile.html(try await CoverProfile.facts(profile.userID, on: req.db)))
            }?.html ?? ""))
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
