import Fluent
import Vapor

/// `guild outbox status | retry-failed | deliver`: looks after the email queue from a shell.
struct OutboxCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "status, retry-failed, deliver or digest")
        var action: String
    }

    var help: String { "Shows the email queue, re-queues failed messages, delivers due ones now, or queues this week's knowledge digest (from Monday 08:00 UTC, once per member)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "status":
            let depth = try await OutboxDelivery.depth(on: app.db)
            context.console.print("pending: \(depth.pending)  failed: \(depth.failed)")
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
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use status, retry-failed, deliver or digest")
        }
    }
}
