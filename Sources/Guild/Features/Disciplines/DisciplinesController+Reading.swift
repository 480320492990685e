import Fluent
import Foundation
import Habits
import Vapor

/// The reading list, "what I implemented", and the Loop Habit Tracker files.
extension DisciplinesController {
    /// Loop's two top files, each well under 2 MB for years of a dozen habits.
    static let loopUpload = BodyPolicy(limit: 4 * 1024 * 1024 + 4 * 1024, maxMultipartParts: 4,
                                       tooLarge: "The two files together can be at most 4 MB.")

    func registerReading(_ member: any RoutesBuilder) {
        member.get("disciplines", "reading", use: reading)
        member.post("disciplines", "reading", use: saveBook)
        member.post("disciplines", "reading", ":bookID", use: saveBook)
        member.post("disciplines", "reading", ":bookID", "delete", use: deleteBook)
        member.post("disciplines", "implemented", use: addImplementation)
        member.post("disciplines", "implemented", ":implementationID", "delete", use: deleteImplementation)
        member.get("disciplines", "export.zip", use: export)
        member.on(.POST, "disciplines", "import", body: .collect(maxSize: .init(value: Self.loopUpload.limit)), use: importLoop)
            .accepting(Self.loopUpload)
    }

    func reading(req: Request) async throws -> View {
        try await req.view.render("Disciplines/reading", try await ReadingPage.query(req, member: try me(req)))
    }

    func reading(_ req: Request, error: DisciplinesError) async throws -> Response {
        var page = try await ReadingPage.query(req, member: try me(req))
        page.show(error)
        return try await req.view.render("Disciplines/reading", page).encodeResponse(for: req).with(error)
    }

    func saveBook(req: Request) async throws -> Response {
        struct Fields: Content { var title: String?; var author: String?; var status: String?; var notes: String? }
        let fields = try req.content.decode(Fields.self)
        let id: UUID?
        if req.parameters.get("bookID") != nil {
            guard let parsed = req.parameters.get("bookID", as: UUID.self) else { throw DisciplinesError.notFound }
            id = parsed
        } else {
            id = nil
        }
        do {
            _ = try await Reading.saveBook(id, member: try me(req), title: fields.title, author: fields.author, status: fields.status,
                                           notes: fields.notes, on: req.db)
            req.flash(.success, "Saved.")
            return req.redirect(to: "/disciplines/reading", redirectType: .normal)
        } catch let error as DisciplinesError where error != .notFound {
            return try await reading(req, error: error)
        }
    }

    func deleteBook(req: Request) async throws -> Response {
        guard let id = req.parameters.get("bookID", as: UUID.self) else { throw DisciplinesError.notFound }
        try await Reading.deleteBook(id, member: try me(req), on: req.db)
        req.flash(.success, "Deleted.")
        return req.redirect(to: "/disciplines/reading", redirectType: .normal)
    }

    func addImplementation(req: Request) async throws -> Response {
        struct Fields: Content { var title: String?; var what: String?; var result: String?; var book: String? }
        let fields = try req.content.decode(Fields.self)
        let me = try me(req)
        do {
            let book = (fields.book ?? "").isEmpty ? nil : fields.book.flatMap(UUID.init(uuidString:))
            if !(fields.book ?? "").isEmpty && book == nil { throw DisciplinesError.invalid(field: "book", "Choose a book from your reading list, or none.") }
            _ = try await Reading.addImplementation(member: me, title: fields.title, what: fields.what, result: fields.result, book: book,
                                                    today: try await Disciplines.today(of: me, on: req.db), on: req.db)
            req.flash(.success, "Noted. Turn it into a case study when the result is in.")
            return req.redirect(to: "/disciplines/reading", redirectType: .normal)
        } catch let error as DisciplinesError {
            return try await reading(req, error: error)
        }
    }

    func deleteImplementation(req: Request) async throws -> Response {
        guard let id = req.parameters.get("implementationID", as: UUID.self) else { throw DisciplinesError.notFound }
        try await Reading.deleteImplementation(id, member: try me(req), on: req.db)
        req.flash(.success, "Deleted.")
        return req.redirect(to: "/disciplines/reading", redirectType: .normal)
    }

    func export(req: Request) async throws -> Response {
        let data = try await LoopTransfer.export(try me(req), on: req.db)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"Loop Habits CSV \(Day(Date(), in: TimeZone(identifier: "UTC")!).iso).zip\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    func importLoop(req: Request) async throws -> Response {
        struct Upload: Content { var habits: File?; var checkmarks: File? }
        let upload = try? req.content.decode(Upload.self)
        guard let habits = upload?.habits, habits.data.readableBytes > 0, let checkmarks = upload?.checkmarks, checkmarks.data.readableBytes > 0 else {
            return try await index(req, error: .invalid(field: "file", "Choose both files from Loop's export: Habits.csv and Checkmarks.csv (unzip it first)."))
        }
        do {
            let summary = try await LoopTransfer.importFiles(
                try me(req), habitsCSV: String(decoding: habits.data.readableBytesView, as: UTF8.self),
                checkmarksCSV: String(decoding: checkmarks.data.readableBytesView, as: UTF8.self), on: req.db)
            req.flash(.success, "Imported \(summary.days) days: \(summary.created) new disciplines, \(summary.merged) added to ones you had"
                      + (summary.skipped > 0 ? "; \(summary.skipped) days in the future or over ten years ago skipped." : "."))
            return req.redirect(to: "/disciplines", redirectType: .normal)
        } catch let error as DisciplinesError {
            return try await index(req, error: error)
        }
    }
}
