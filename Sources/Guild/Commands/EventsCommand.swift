import Vapor

/// `guild events remind`: queues the day-before reminders that are due and makes the next dates of
/// recurring events; the job inside `guild serve` does the same every ten minutes.
struct EventsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "remind")
        var action: String
    }

    var help: String { "Event jobs: `guild events remind` queues the day-before reminders and extends recurring events." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "remind" else {
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild events remind")
        }
        let app = context.application
        try await app.autoMigrate()
        let report = try await EventReminders.run(baseURL: app.guildConfig.baseURL, on: app.db)
        let oneToOnes = try await OneToOnes.remind(now: Date(), baseURL: app.guildConfig.baseURL, on: app.db)
        context.console.print("\(report.reminders) event reminders and \(oneToOnes) one-to-one reminders queued; \(report.series) recurring events extended.")
    }
}
