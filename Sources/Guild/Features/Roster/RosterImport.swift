import Formats
import Taxonomy
import Fluent
import Vapor

/// Imports a roster: creates accounts without passwords (an invitation with a set-password link is
/// queued), or updates the people already there; never duplicates anyone.
enum RosterImport {
    struct Summary: Encodable, Sendable {
        var created = 0
        var updated = 0
        var skipped = 0
        var dryRun = false
        var problems: [String] = []
        var text: String {
            (dryRun ? "Dry run, nothing written: " : "") + "\(created) created, \(updated) updated, \(skipped) skipped"
        }
    }

    /// A row the database refused, with the line it came from.
    struct RowFailure: Error {
        var line: Int
        var error: any Error
    }

    static func run(
        _ data: Data, strict: Bool, dryRun: Bool, baseURL: String, on db: any Database, logger: Logger
    ) async throws(RosterFileError)
        -> Summary
    {
        let (rows, problems) = try RosterParser.parse(data)
        var summary = Summary(dryRun: dryRun, problems: problems.map(\.description))
        summary.skipped = problems.count
        if strict, !problems.isEmpty {
            summary.skipped += rows.count
            summary.problems.append("Nothing was imported because of --strict: fix the lines above and import again.")
            return summary
        }
        do {
            let existing = try await Accounts.existingEmails(rows.map(\.email), on: db)
            if dryRun {
                summary.updated = rows.filter { existing.contains($0.email) }.count
                summary.created = rows.count - summary.updated
                return summary
            }
            let counts = try await db.writeTransaction { db in
                var created = 0, updated = 0, written: [UUID] = []
                for row in rows {
                    do {
                        var input = try ProfileInput(
                            business: row.business, headline: row.headline, bio: row.bio, website: row.website, city: row.city,
                            niches: row.niches.map { .init(name: $0, level: .experienced) }
                        ).validated()
                        // Two imports of one roster at once must not both create this person.
                        try await db.lock("user:" + row.email)
                        let (user, isNew) = try await Accounts.findOrInvite(name: row.name, email: row.email, baseURL: baseURL, on: db)
                        if isNew {
                            created += 1
                        } else {
                            // Keep what the member set themselves that a roster does not carry.
                            if let profile = try await Profile.find(userID: user.requireID(), on: db) {
                                let current = try await Profiles.input(from: profile, on: db)
                                input.partnersWanted = current.partnersWanted
                                input.blogURL = current.blogURL
                                input.remote = current.remote
                                input.availability = current.availability
                                input.awayUntil = current.awayUntil
                                input.niches = merged(current.niches, with: input.niches)
                            }
                            updated += 1
                        }
                        written.append(try await Profiles.write(input, userID: user.requireID(), name: user.name, in: db).requireID())
                    } catch {
                        throw RowFailure(line: row.line, error: error)
                    }
                }
                return (created, updated, written)
            }
            // Matching's pieces after the commit, as for a single save (see `Profiles.save`).
            try await db.writeTransaction(reportingGeneration: false) { db in try await MatchSentences.refresh(counts.2, on: db) }
            summary.created = counts.0
            summary.updated = counts.1
            return summary
        } catch let failure as RowFailure {
            if let problem = failure.error as? any AppError {
                throw RosterFileError(reason: "The import stopped at line \(failure.line) and wrote nothing: \(problem.reason)")
            }
            logger.error("roster import failed", metadata: ["line": "\(failure.line)", "error": "\(DatabaseUnavailable.summary(of: failure.error))"])
            throw RosterFileError(reason: "The import stopped at line \(failure.line) and wrote nothing: Guild could not save that row. The details are in the server log; nothing from this file was imported.")
        } catch {
            logger.error("roster import failed", metadata: ["error": "\(DatabaseUnavailable.summary(of: error))"])
            throw RosterFileError(reason: "The import stopped and wrote nothing: Guild could not read its database. The details are in the server log.")
        }
    }

    /// The member's own niches (with their levels) first, then the roster's new ones, at most ten.
    static func merged(_ current: [ProfileInput.NicheChoice], with roster: [ProfileInput.NicheChoice]) -> [ProfileInput.NicheChoice] {
        var result = current
        for choice in roster where !result.contains(where: { NicheNormalizer.key($0.name) == NicheNormalizer.key(choice.name) }) {
            result.append(choice)
        }
        return Array(result.prefix(ProfileInput.maxNiches))
    }
}
