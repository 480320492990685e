import Fluent
import Vapor

/// `guild outbox status | today | budget | purge | retry-failed | deliver | digest`: looks after the
/// email queue and the mail policy from a shell.
struct OutboxCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "status, today, budget, purge, retry-failed, deliver or digest")
        var action: String
        @Option(name: "email", help: "budget: the account whose daily budget of emails to non-members to set")
        var email: String?
        @Option(name: "daily", help: "budget: emails a day to people outside Guild, or 'default'")
        var daily: String?
    }

    var help: String {
        "Shows the email queue, who made Guild send how much today (today), sets an account's daily budget of emails to "
            + "non-members (budget --email … --daily N|default), blanks sent messages' text (purge), re-queues failed messages, "
            + "delivers due ones now, or queues this week's knowledge digest (from Monday 08:00 UTC, once per member)."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "status":
            let depth = try await OutboxDelivery.depth(on: app.db)
            context.console.print("pending: \(depth.pending)  failed: \(depth.failed)")
        case "today":
            let rows = try await MailPolicy.today(on: app.db)
            context.console.print("Emails members made Guild send today (UTC), to non-members / to members:")
            for row in rows { context.console.print("\(row.nonMembers)/\(row.budget)  \(row.members)  \(row.name) <\(row.email)>") }
            if rows.isEmpty { context.console.print("(nobody yet)") }
        case "budget":
            guard let email = signature.email?.lowercased(), let user = try await User.find(email: email, on: app.db) else {
                throw AdminCommand.UsageError(description: "budget needs --email of an existing account")
            }
            let daily: Int?
            switch signature.daily {
            case "default": daily = nil
            case let raw?: guard let value = Int(raw), (0...100_000).contains(value) else {
                throw AdminCommand.UsageError(description: "--daily must be a number from 0 to 100000, or default")
            }
                daily = value
            case nil: throw AdminCommand.UsageError(description: "budget needs --daily N or --daily default")
            }
            try await MailPolicy.setBudget(daily, for: user.requireID(), on: app.db)
            context.console.print("\(user.email) may now email \(try await MailPolicy.budget(of: user.requireID(), on: app.db)) people outside Guild a day.")
        case "purge":
            let started = ContinuousClock.now
            let report = try await OutboxRetention.purgeReporting(on: app.db)
            let took = ContinuousClock.now - started
            context.console.print("purged: \(report.purged) message(s) in \(report.batches) statement(s), \(took); "
                + "longest statement \(Int((report.slowest * 1000).rounded())) ms")
        case "retry-failed":
            let failed = try await OutboxMessage.query(on: app.db).filter(\.$status == .failed).all()
            for message in failed { _ = try await OutboxDelivery.retry(id: message.requireID(), on: app.db) }
            context.console.print("Re-queued \(failed.count) message(s).")
        case "deliver":
            let result = try await app.outboxDelivery().deliverDue()
            context.console.print("sent: \(result.sent)  failed: \(result.failed)")
        case "digest":
            let queued = try await KnowledgeDigest.send(baseURL: app.guildConfig.baseURL, on: app.db)
            context.console.print("weekly digest: \(queued) email(s) queued")
        default:
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use status, today, budget, purge, retry-failed, deliver or digest")
        }
    }
}
