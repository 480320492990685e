import Formats
import Taxonomy
import Vapor

/// `guild import roster FILE.csv [--strict] [--dry-run]`
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "roster")
        var kind: String
        @Argument(name: "file", help: "CSV file with the header name,email,business,niches,headline,bio,website,city")
        var file: String
        @Flag(name: "strict", help: "Import nothing if any row is bad.")
        var strict: Bool
        @Flag(name: "dry-run", help: "Check the file and report; write nothing.")
        var dryRun: Bool
    }

    var help: String { "Imports a roster of members from CSV." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.kind == "roster" else {
            throw AdminCommand.UsageError(description: "Unknown import '\(signature.kind)'; use: guild import roster FILE.csv")
        }
        let app = context.application
        try await app.autoMigrate()
        let attributes = try? FileManager.default.attributesOfItem(atPath: signature.file)
        guard let size = attributes?[.size] as? Int else {
            throw AdminCommand.UsageError(description: "Cannot read \(signature.file).")
        }
        guard size <= RosterParser.maxFileSize else {
            throw AdminCommand.UsageError(description: "\(signature.file) is \(size / 1_048_576) MB; rosters can be at most \(RosterParser.maxFileSize / 1_048_576) MB. Split it into smaller files.")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: signature.file))
        let summary = try await RosterImport.run(
            data, strict: signature.strict, dryRun: signature.dryRun, baseURL: app.guildConfig.baseURL, on: app.db, logger: app.logger)
        for problem in summary.problems { context.console.print(problem) }
        context.console.print(summary.text)
    }
}
