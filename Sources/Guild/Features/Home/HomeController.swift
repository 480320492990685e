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
            struct Row: Decodable { var n: Int }
            page.needsCover = try await req.db.sql.raw("""
                SELECT COUNT(*) AS n FROM cover_backups WHERE member_id = \(bind: user) AND status = 'accepted'
                """).first(decoding: Row.self)?.n ?? 0 == 0
        }
        return try await req.view.render("home", page)
    }
}
