import Fluent
import Vapor

/// A member's public page, `/m/{slug}`: their profile with what other features show about them
/// (testimonials, latest posts, circles, cover). It sits above those features, so that Profiles itself
/// (the data, its editing and its API) depends on none of them.
struct ProfilePageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("m", ":slug", use: show)
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
}

struct ProfilePage: Encodable {
    var layout: Layout
    var profile: ProfileDetail
    var availabilityText: String
    var canEdit: Bool
    var editPath: String
    /// Rendered `Profiles/testimonials`.
    var testimonials: String
    /// The member's latest named posts (never the ones without a name: those have no author).
    var posts: [PostView]
    /// The open circles the member belongs to.
    var circles: [CircleCardView] = []
    /// "Away — covered by …", "Covered for N members" (`CoverProfile`), as HTML.
    var cover: String = ""
}

struct TestimonialsFragment: Encodable {
    var items: [Testimonials.Shown]
    var own: Bool
    var csrf: String
}
