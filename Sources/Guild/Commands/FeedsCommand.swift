import Vapor

/// `guild feeds refresh [--all]`: reads the feeds of recommended blogs that are due (every one with
/// `--all`) and prints what happened.
struct FeedsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "refresh")
        var action: String
        @Flag(name: "all", help: "Fetch every feed now, due or not.")
        var all: Bool
    }

    var help: String { "Fetches recommended blogs' feeds (RSS or Atom) for the niche blogrolls." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "refresh" else {
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use refresh")
        }
        let app = context.application
        try await app.autoMigrate()
        let summary = try await FeedRefresh.refresh(app: app, every: app.guildConfig.feedsRefresh ?? 3600, all: signature.all)
        context.console.print("feeds: \(summary.fetched) fetched, \(summary.unchanged) unchanged, \(summary.failed) failed")
    }
}
