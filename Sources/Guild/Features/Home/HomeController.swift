import Fluent
import SQLKit
import Vapor

struct HomePage: Encodable {
    var layout: Layout
    /// A signed-in member with no accepted backup sees a prompt to set up their cover plan.
    var needsCover = false
}

struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    func home(req: Request) async throws -> View {
        var page = HomePage(layout: req.layout(title: "Open referral network"))
        if let user = req.currentUser?.id {
            page.needsCover = try await !CoverBackups.hasAccepted(for: user, on: req.db)
        }
        return try await req.view.render("home", page)
    }
}
