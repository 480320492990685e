import Fluent
import Vapor

/// `guild migrate`: applies every pending migration, without asking.
struct GuildMigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Applies every pending database migration." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("Database is up to date (\(GuildMigrations.all(taxonomy: context.application.taxonomy).count) migrations).")
    }
}
