import Fluent
import Foundation
import SafeMarkdown
import SQLKit

/// What a profile says about cover: "Away — covered by …" while the member is out, and "Covered for N
/// members" for a backup who was thanked. The same for every visitor, so kept per directory
/// generation (activations, backups and thanks move it: migration 034).
enum CoverProfile {
    struct Facts: Sendable, Equatable {
        var coveredBy: [(name: String, slug: String?)]
        var isOut: Bool
        var coveredFor: Int

        static func == (a: Facts, b: Facts) -> Bool {
            a.isOut == b.isOut && a.coveredFor == b.coveredFor && a.coveredBy.map(\.name) == b.coveredBy.map(\.name)
        }
    }

    static func facts(_ member: UUID, on db: any Database) async throws -> Facts {
        let isOut = try await CoverActivations.active(member, on: db) != nil
        var coveredBy: [(String, String?)] = []
        if isOut, let first = try await CoverBackups.available(for: member, on: db).first {
            let person = try await People.byID([first], on: db)[first]
            coveredBy = [(person?.name ?? "a member", person?.slug)]
        }
        return Facts(coveredBy: coveredBy, isOut: isOut, coveredFor: try await CoverHandoffs.coveredCount(member, on: db))
    }

    /// The profile's lines, as escaped HTML (empty when there is nothing to say).
    static func html(_ facts: Facts) -> String {
        var html = ""
        if facts.isOut {
            let by = facts.coveredBy.first.map { person in
                " — covered by " + (person.slug.map { "<a href=\"/m/\(SafeMarkdown.escape($0))\">\(SafeMarkdown.escape(person.name))</a>" }
                    ?? SafeMarkdown.escape(person.name))
            } ?? ": their circle's organizers know"
            html += "<p class=\"note cover-away\">Away\(by). Referrals go to their backup meanwhile.</p>"
        }
        if facts.coveredFor > 0 {
            html += "<p class=\"cover-count\">Covered for \(facts.coveredFor) member\(facts.coveredFor == 1 ? "" : "s")</p>"
        }
        return html
    }
}
