import Fluent
import Foundation
import Vapor

/// `guild disciplines summary` queues this week's summary emails now (the server does it on Monday
/// mornings; each member still gets each week's once); `export --member EMAIL --out FILE.zip` writes
/// a member's disciplines as Loop Habit Tracker's CSV zip; `import --member EMAIL --habits Habits.csv
/// --checkmarks Checkmarks.csv` reads Loop's export.
struct DisciplinesCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "summary | export | import")
        var action: String
        @Option(name: "member", help: "The member's email (export, import)")
        var member: String?
        @Option(name: "out", help: "The zip to write (export)")
        var out: String?
        @Option(name: "habits", help: "Loop's Habits.csv (import)")
        var habits: String?
        @Option(name: "checkmarks", help: "Loop's Checkmarks.csv (import)")
        var checkmarks: String?
    }

    var help: String { "Disciplines: `summary`, `export --member EMAIL --out FILE.zip`, `import --member EMAIL --habits Habits.csv --checkmarks Checkmarks.csv`." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        func member() async throws -> UUID {
            guard let email = signature.member?.trimmingCharacters(in: .whitespaces).lowercased(), !email.isEmpty,
                  let user = try await User.query(on: app.db).filter(\.$email == email).first() else {
                throw AdminCommand.UsageError(description: "Name the member: --member EMAIL")
            }
            return try user.requireID()
        }
        switch signature.action {
        case "summary":
            let queued = try await DisciplineSummary.send(baseURL: app.guildConfig.baseURL, on: app.db)
            context.console.print("\(queued) weekly summaries queued (only on Mondays from 07:00 UTC; each member gets each week's once).")
        case "export":
            guard let out = signature.out else { throw AdminCommand.UsageError(description: "Say where: --out FILE.zip") }
            let data = try await LoopTransfer.export(try await member(), on: app.db)
            try data.write(to: URL(fileURLWithPath: out))
            context.console.print("Wrote \(out) (\(data.count) bytes).")
        case "import":
            guard let habits = signature.habits, let checkmarks = signature.checkmarks else {
                throw AdminCommand.UsageError(description: "Give both files: --habits Habits.csv --checkmarks Checkmarks.csv")
            }
            let read = { (path: String) throws -> String in
                guard let data = FileManager.default.contents(atPath: path), data.count <= 4 * 1024 * 1024 else {
                    throw AdminCommand.UsageError(description: "Cannot read \(path), or it is over 4 MB.")
                }
                return String(decoding: data, as: UTF8.self)
            }
            do {
                let summary = try await LoopTransfer.importFiles(try await member(), habitsCSV: try read(habits), checkmarksCSV: try read(checkmarks), on: app.db)
                context.console.print("Imported \(summary.days) days: \(summary.created) new disciplines, \(summary.merged) merged, \(summary.skipped) days skipped.")
            } catch let error as DisciplinesError {
                throw AdminCommand.UsageError(description: error.reason)
            }
        default:
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild disciplines summary | export | import")
        }
    }
}
