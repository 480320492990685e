import Fluent
import Foundation
import Habits
import SQLKit
import Validation

struct BookRow: Decodable, Sendable, Encodable {
    var id: UUID
    var title: String
    var author: String
    var status: String
    var notes: String
}

struct ImplementationRow: Decodable, Sendable, Encodable {
    var id: UUID
    var title: String
    var what: String
    var result: String
    var day: String
    var book_title: String?
}

/// The reading list (books to read, being read, read, with notes) and "what I implemented": the
/// learning put to work, which turns into a case-study draft in the knowledge section.
enum Reading {
    static let statuses = ["to_read": "To read", "reading": "Reading", "read": "Read"]
    static let titleMax = 200, authorMax = 120, notesMax = 4_000, whatMax = 4_000
    static let maxBooks = 500, maxImplementations = 1_000

    static func books(of member: UUID, on db: any Database) async throws -> [BookRow] {
        try await db.sql.raw("""
            SELECT id, title, author, status, notes FROM reading_list WHERE member_id = \(bind: member)
            ORDER BY CASE status WHEN 'reading' THEN 0 WHEN 'to_read' THEN 1 ELSE 2 END, updated_at DESC LIMIT \(bind: maxBooks)
            """).all(decoding: BookRow.self)
    }

    static func implementations(of member: UUID, limit: Int = 50, on db: any Database) async throws -> [ImplementationRow] {
        try await db.sql.raw("""
            SELECT i.id, i.title, i.what, i.result, i.day, b.title AS book_title FROM implementations i
            LEFT JOIN reading_list b ON b.id = i.book_id WHERE i.member_id = \(bind: member) ORDER BY i.day DESC, i.created_at DESC LIMIT \(bind: limit)
            """).all(decoding: ImplementationRow.self)
    }

    static func implementation(_ id: UUID?, of member: UUID, on db: any Database) async throws -> ImplementationRow? {
        guard let id else { return nil }
        return try await db.sql.raw("""
            SELECT i.id, i.title, i.what, i.result, i.day, b.title AS book_title FROM implementations i
            LEFT JOIN reading_list b ON b.id = i.book_id WHERE i.id = \(bind: id) AND i.member_id = \(bind: member)
            """).first(decoding: ImplementationRow.self)
    }

    static func text(_ raw: String?, field: String, what: String, max: Int, required: Bool, multiline: Bool) throws -> String {
        let raw = raw ?? ""
        if let problem = TextRules.controlProblem(raw, what: what, multiline: multiline) { throw DisciplinesError.invalid(field: field, problem) }
        guard raw.count <= max else { throw DisciplinesError.invalid(field: field, "\(what) is at most \(max) characters.") }
        let text = raw.trimmingWhitespace()
        if required && text.isEmpty { throw DisciplinesError.invalid(field: field, "\(what) is needed (1 to \(max) characters).") }
        if !text.isEmpty, let problem = multiline ? TextRules.textProblem(text, what: what) : TextRules.lineProblem(text, what: what) {
            throw DisciplinesError.invalid(field: field, problem)
        }
        return text
    }

    /// Adds a book, or with `id` changes one of the member's.
    static func saveBook(_ id: UUID?, member: UUID, title: String?, author: String?, status: String?, notes: String?,
                         on db: any Database) async throws -> UUID {
        let title = try text(title, field: "title", what: "The title", max: titleMax, required: true, multiline: false)
        let author = try text(author, field: "author", what: "The author", max: authorMax, required: false, multiline: false)
        let notes = try text(notes, field: "notes", what: "The notes", max: notesMax, required: false, multiline: true)
        let status = status ?? "to_read"
        guard statuses[status] != nil else { throw DisciplinesError.invalid(field: "status", "Choose to read, reading or read.") }
        let now = Date()
        if let id {
            struct Row: Decodable { var id: UUID }
            guard try await db.sql.raw("""
                UPDATE reading_list SET title = \(bind: title), author = \(bind: author), status = \(bind: status), notes = \(bind: notes),
                    updated_at = \(bind: now) WHERE id = \(bind: id) AND member_id = \(bind: member) RETURNING id
                """).first(decoding: Row.self) != nil else { throw DisciplinesError.notFound }
            return id
        }
        struct Count: Decodable { var n: Int }
        guard try await db.sql.raw("SELECT COUNT(*) AS n FROM reading_list WHERE member_id = \(bind: member)").first(decoding: Count.self)?.n ?? 0 < maxBooks else {
            throw DisciplinesError.conflict(field: "title", "The reading list holds \(maxBooks) books; delete some you have read first.")
        }
        let new = UUID()
        try await db.sql.raw("""
            INSERT INTO reading_list (id, member_id, title, author, status, notes, created_at, updated_at)
            VALUES (\(bind: new), \(bind: member), \(bind: title), \(bind: author), \(bind: status), \(bind: notes), \(bind: now), \(bind: now))
            """).run()
        return new
    }

    static func deleteBook(_ id: UUID, member: UUID, on db: any Database) async throws {
        struct Row: Decodable { var id: UUID }
        guard try await db.sql.raw("DELETE FROM reading_list WHERE id = \(bind: id) AND member_id = \(bind: member) RETURNING id")
            .first(decoding: Row.self) != nil else { throw DisciplinesError.notFound }
    }

    static func addImplementation(member: UUID, title: String?, what: String?, result: String?, book: UUID?, today: Day,
                                  on db: any Database) async throws -> UUID {
        let title = try text(title, field: "title", what: "The title", max: titleMax, required: true, multiline: false)
        let what = try text(what, field: "what", what: "What you did", max: whatMax, required: true, multiline: true)
        let result = try text(result, field: "result", what: "The result", max: whatMax, required: false, multiline: true)
        if let book {
            struct Row: Decodable { var id: UUID }
            guard try await db.sql.raw("SELECT id FROM reading_list WHERE id = \(bind: book) AND member_id = \(bind: member)")
                .first(decoding: Row.self) != nil else { throw DisciplinesError.invalid(field: "book", "Choose a book from your reading list, or none.") }
        }
        struct Count: Decodable { var n: Int }
        guard try await db.sql.raw("SELECT COUNT(*) AS n FROM implementations WHERE member_id = \(bind: member)").first(decoding: Count.self)?.n ?? 0 < maxImplementations else {
            throw DisciplinesError.conflict(field: "title", "You have \(maxImplementations) entries; delete old ones first.")
        }
        let id = UUID()
        try await db.sql.raw("""
            INSERT INTO implementations (id, member_id, book_id, title, what, result, day, created_at)
            VALUES (\(bind: id), \(bind: member), \(bind: book), \(bind: title), \(bind: what), \(bind: result), \(bind: today.iso), \(bind: Date()))
            """).run()
        return id
    }

    static func deleteImplementation(_ id: UUID, member: UUID, on db: any Database) async throws {
        struct Row: Decodable { var id: UUID }
        guard try await db.sql.raw("DELETE FROM implementations WHERE id = \(bind: id) AND member_id = \(bind: member) RETURNING id")
            .first(decoding: Row.self) != nil else { throw DisciplinesError.notFound }
    }
}
