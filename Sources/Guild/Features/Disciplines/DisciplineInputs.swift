import Fluent
import Foundation
import Habits
import SQLKit
import Validation

/// What a member sends to make or change a discipline; `validated` names the first field at fault.
struct DisciplineInput: Sendable {
    static let nameMax = 80, tagMax = 40

    var name: String
    var kind: String
    var target: Int?
    var niche: String?
    var tag: String?

    func validated(member: UUID, on db: any Database) async throws -> (name: String, kind: Kind, target: Int, nicheID: UUID?, tag: String) {
        func fail(_ field: String, _ message: String) -> DisciplinesError { .invalid(field: field, message) }
        if let problem = TextRules.controlProblem(name, what: "The name") { throw fail("name", problem) }
        let name = name.trimmingWhitespace()
        guard !name.isEmpty, name.count <= Self.nameMax, self.name.count <= Self.nameMax else {
            throw fail("name", "Name the discipline in 1 to \(Self.nameMax) characters, e.g. \"Writing\".")
        }
        if let problem = TextRules.lineProblem(name, what: "The name") { throw fail("name", problem) }
        guard let kind = Kind(rawValue: kind) else {
            throw fail("kind", "Choose minutes a day, times a week, or done every day.")
        }
        // Any target is 1 to 1,440 (the API document says so); which of those fit is the kind's business:
        // a valid number that does not fit the kind is a conflict with it, not a malformed request.
        if let target, !(1...1440).contains(target) { throw fail("target", "A target is a whole number from 1 to 1,440.") }
        // No target: an hour a day, or three days a week.
        let target = kind == .done ? 1 : (target ?? (kind == .minutesPerDay ? 60 : 3))
        guard kind.targets.contains(target) else {
            throw DisciplinesError.conflict(field: "target", kind == .minutesPerDay ? "Set a target of 1 to 1,440 minutes a day." : "Set a target of 1 to 7 days a week.")
        }
        var nicheID: UUID?
        if let slug = niche?.trimmingWhitespace(), !slug.isEmpty {
            guard slug.count <= 200, let found = try await Niches.id(slug: slug, on: db) else {
                throw DisciplinesError.conflict(field: "niche", "There is no such niche; choose one of yours or leave it empty.")
            }
            nicheID = found
        }
        let rawTag = tag ?? ""
        if let problem = TextRules.controlProblem(rawTag, what: "The tag") { throw fail("tag", problem) }
        let tag = rawTag.trimmingWhitespace()
        guard rawTag.count <= Self.tagMax else { throw fail("tag", "A tag is at most \(Self.tagMax) characters.") }
        if !rawTag.isEmpty && tag.isEmpty { throw fail("tag", "A tag must have something visible; leave it empty for none.") }
        if !rawTag.isEmpty, let problem = TextRules.lineProblem(tag, what: "The tag") { throw fail("tag", problem + " Leave it empty for none.") }
        return (name, kind, target, nicheID, tag)
    }
}

/// One day's log as sent: minutes (minutes a day) or done, a note, a link to what it produced.
struct DayInput: Sendable {
    static let noteMax = 500, linkMax = 500

    var minutes: Int?
    var done: Bool?
    var note: String?
    var link: String?

    /// The value to store (0 with nothing done and nothing noted: the day is cleared).
    func validated(kind: Kind, target: Int) throws -> (value: Int, note: String, link: String) {
        func fail(_ field: String, _ message: String) -> DisciplinesError { .invalid(field: field, message) }
        let value: Int
        if kind == .minutesPerDay {
            // "Done" with no minutes is the one-tap log: the target.
            let minutes = minutes ?? (done == true ? target : 0)
            guard (0...1440).contains(minutes) else { throw fail("minutes", "A day has 0 to 1,440 minutes.") }
            value = minutes
        } else {
            value = (done ?? ((minutes ?? 0) > 0)) ? 1 : 0
        }
        let rawNote = note ?? ""
        if let problem = TextRules.controlProblem(rawNote, what: "The note", multiline: true) { throw fail("note", problem) }
        guard rawNote.count <= Self.noteMax else { throw fail("note", "A day's note is at most \(Self.noteMax) characters.") }
        let note = rawNote.trimmingWhitespace()
        if !note.isEmpty, let problem = TextRules.textProblem(note, what: "The note") { throw fail("note", problem) }
        let rawLink = link ?? ""
        if !rawLink.isEmpty {
            // The characters of a URL (RFC 3986, percent-encoded otherwise): no spaces, quotes or angle brackets.
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~:/?#@!$&'()*+,;=%[]-".unicodeScalars)
            let lower = rawLink.lowercased()
            let rest = lower.hasPrefix("https://") ? rawLink.dropFirst(8) : lower.hasPrefix("http://") ? rawLink.dropFirst(7) : nil
            guard rawLink.unicodeScalars.count <= Self.linkMax, rawLink.unicodeScalars.allSatisfy(allowed.contains),
                  rest.map({ !$0.isEmpty }) ?? (rawLink.hasPrefix("/") && !rawLink.hasPrefix("//")) else {
                throw fail("link", "Link to a post or case study: a web address starting with https://, or a Guild path like /posts/…, at most \(Self.linkMax) characters.")
            }
        }
        return (value, note, rawLink)
    }
}
