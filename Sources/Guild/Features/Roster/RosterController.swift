import Formats
import Taxonomy
import Vapor

/// The organizer's roster upload page.
struct RosterController: RouteCollection {
    struct ImportPage: Encodable {
        var layout: Layout
        var summary: RosterImport.Summary?
        var formError: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let organize = routes.grouped(RequireSignInMiddleware(role: .organizer)).grouped("organize", "import")
        organize.get(use: form)
        organize.on(.POST, body: .collect(maxSize: .init(value: BodyPolicy.upload.limit)), use: upload).accepting(.upload)
    }

    func form(req: Request) async throws -> View {
        try await req.view.render("Roster/import", ImportPage(layout: req.layout(title: "Import a roster")))
    }

    func upload(req: Request) async throws -> Response {
        struct Upload: Content { var file: File?; var strict: String?; var dry_run: String? }
        let upload = try req.content.decode(Upload.self)
        guard let file = upload.file, file.data.readableBytes > 0 else {
            let error = CommonError.invalidField(.init(field: "file", message: "Choose a CSV file to import."))
            return try await req.view.render("Roster/import", ImportPage(layout: req.layout(title: "Import a roster"), formError: error.reason))
                .encodeResponse(for: req).with(error)
        }
        do {
            let summary = try await RosterImport.run(
                Data(buffer: file.data), strict: upload.strict == "true", dryRun: upload.dry_run == "true",
                baseURL: req.application.guildConfig.baseURL, on: req.db, logger: req.logger)
            return try await req.view.render("Roster/import", ImportPage(layout: req.layout(title: "Import a roster"), summary: summary))
                .encodeResponse(for: req)
        } catch let error as RosterFileError {
            let page = ImportPage(layout: req.layout(title: "Import a roster"), formError: error.description)
            let response = try await req.view.render("Roster/import", page).encodeResponse(for: req)
            response.status = HTTPResponseStatus.unprocessableEntity
            return response
        }
    }
}
