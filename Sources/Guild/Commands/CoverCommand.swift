import Fluent
import Vapor

/// `guild cover status --member EMAIL` shows a member's cover plan to an organizer (backups, whether
/// cover is on, the runbook's size: never its contents); `guild cover rotate-key` re-seals every
/// runbook with `GUILD_RUNBOOK_KEY` while the old key is in `GUILD_RUNBOOK_OLD_KEYS`;
/// `guild cover new-key` prints a fresh key.
struct CoverCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "status | rotate-key | new-key")
        var action: String
        @Option(name: "member", help: "The member's email (status)")
        var member: String?
    }

    var help: String { "Cover plans: `status --member EMAIL`, `rotate-key` (GUILD_RUNBOOK_KEY new, GUILD_RUNBOOK_OLD_KEYS old), `new-key`." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "new-key":
            context.console.print(RunbookCipher.newKey())
        case "rotate-key":
            try await app.autoMigrate()
            guard let cipher = app.runbookCipher, app.guildConfig.runbookKeys != nil else {
                throw AdminCommand.UsageError(description: "Set GUILD_RUNBOOK_KEY to the new key and GUILD_RUNBOOK_OLD_KEYS to the old one(s).")
            }
            let missing = try await Runbooks.keyIDs(on: app.db).subtracting(cipher.keys.allIDs)
            guard missing.isEmpty else {
                throw AdminCommand.UsageError(description: "Runbooks sealed with key \(missing.sorted().joined(separator: ", ")) cannot be opened: add that key to GUILD_RUNBOOK_OLD_KEYS.")
            }
            let count = try await Runbooks.rotate(cipher: cipher, on: app.db)
            context.console.print("\(count) runbooks re-sealed with key \(cipher.keys.currentID); every runbook now uses it, so GUILD_RUNBOOK_OLD_KEYS can go.")
        case "status":
            try await app.autoMigrate()
            guard let email = signature.member?.trimmingCharacters(in: .whitespaces).lowercased(), !email.isEmpty,
                  let user = try await User.query(on: app.db).filter(\.$email == email).first() else {
                throw AdminCommand.UsageError(description: "Name the member: guild cover status --member EMAIL")
            }
            for line in try await status(of: try user.requireID(), name: user.name, on: app.db) { context.console.print(line) }
        default:
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild cover status --member EMAIL | rotate-key | new-key")
        }
    }

    func status(of member: UUID, name: String, on db: any Database) async throws -> [String] {
        var lines = ["Cover plan of \(name)"]
        let backups = try await CoverBackups.coveringMe(member, on: db).filter { $0.state == .asked || $0.state == .accepted }
        if backups.isEmpty { lines.append("  No backups: this member has no cover.") }
        for backup in backups {
            lines.append("  \(backup.position). \(backup.backup_name) \(backup.scope): \(backup.status)")
        }
        if let active = try await CoverActivations.active(member, on: db) {
            lines.append("  Cover is ON since \(CalendarDay.string(active.started_at)) (started by \(active.started_by))"
                + (active.expected_back.map { ", back expected \(CalendarDay.string($0))" } ?? "")
                + (active.nobody_available ? "; nobody was available to cover" : ""))
        } else {
            lines.append("  Cover is off.")
        }
        lines.append("  Runbook: " + (try await Runbooks.updatedAt(member, on: db).map { "last changed \(CalendarDay.string($0))" } ?? "not written"))
        let contact = try await CoverTrustedContacts.current(member, on: db)
        lines.append("  Trusted contact: " + (contact.map { $0.isUsable ? "named, link valid until \(CalendarDay.string($0.expires_at))" : "named, link used or expired" } ?? "none"))
        return lines
    }
}
