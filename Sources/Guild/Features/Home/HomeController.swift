import Vapor

struct HomePage: Encodable {
    var layout: Layout
}

struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    func home(req: Request) async throws -> View {
        try await req.view.render("home", HomePage(layout: req.layout(title: "Open referral network")))
    }
}
