import Fluent
import Vapor

/// `guild niches merge SLUG --into NICHE` and `guild niches synonym SLUG --add WORDS`: the organizer
/// actions of the niche pages, from a shell (the same code as the pages and the API).
struct NichesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "merge or synonym")
        var action: String
        @Argument(name: "slug", help: "The niche to act on, e.g. seo-services.")
        var slug: String
        @Option(name: "into", help: "merge: slug, name or synonym of the niche to keep.")
        var into: String?
        @Option(name: "add", help: "synonym: the words that should find this niche.")
        var add: String?
    }

    var help: String { "Merges a niche into another, or adds a synonym to a niche." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        do {
            switch signature.action {
            case "merge":
                guard let into = signature.into else { throw AdminCommand.UsageError(description: "merge needs --into NICHE") }
                let target = try await Niches.merge(slug: signature.slug, into: into, on: app.db)
                context.console.print("Merged \(signature.slug) into \(target.slug) (\(target.name)).")
            case "synonym":
                guard let add = signature.add else { throw AdminCommand.UsageError(description: "synonym needs --add WORDS") }
                try await Niches.addSynonym(add, toSlug: signature.slug, on: app.db)
                context.console.print("“\(add)” now finds \(signature.slug).")
            default:
                throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use merge or synonym")
            }
        } catch CommonError.notFound {
            throw AdminCommand.UsageError(description: "No niche has the slug '\(signature.slug)'")
        } catch CommonError.invalidField(let problem) {
            throw AdminCommand.UsageError(description: "--\(problem.field == "synonym" ? "add" : problem.field): \(problem.message)")
        }
    }
}
