import Fluent
import Vapor

/// The report page and the CSV of every referral, for organizers and admins.
struct OrganizerReferralsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("organize", "referrals.csv") { req in ReferralExport.allResponse(on: req) }
        routes.get("organize", "referrals", use: report)
    }

    func report(req: Request) async throws -> View {
        let entry = try await req.application.organizerReports.report(on: req.application.db)
        return try await req.view.render("Referrals/report", ReportPage(
            layout: req.layout(title: "Referrals in this Guild"), report: entry?.report, asOf: entry?.computedAt.shortDisplay ?? ""))
    }
}

struct ReportPage: Encodable {
    var layout: Layout
    /// Nil while the first report is being computed.
    var report: OrganizerReport?
    /// When the figures were computed (UTC).
    var asOf: String
}
