import Fluent
import Vapor

/// `guild referrals export [--member EMAIL] FILE`: every referral without client details (what
/// organizers see), or one member's own ledger with them, as CSV (RFC 4180, formula-safe).
struct ReferralsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "export")
        var action: String
        @Argument(name: "file", help: "Where to write the CSV (- for standard output)")
        var file: String
        @Option(name: "member", help: "Export this member's own ledger (with their clients' details) instead of every referral")
        var member: String?
    }

    var help: String { "Exports the referral ledger as CSV." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "export" else {
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild referrals export [--member EMAIL] FILE")
        }
        let app = context.application
        try await app.autoMigrate()
        let output: FileHandle
        if signature.file == "-" {
            output = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: signature.file, contents: nil), let handle = FileHandle(forWritingAtPath: signature.file) else {
                throw AdminCommand.UsageError(description: "Cannot write \(signature.file).")
            }
            output = handle
        }
        defer { if signature.file != "-" { try? output.close() } }
        if let email = signature.member {
            guard let user = try await User.query(on: app.db).filter(\.$email == email.lowercased()).first() else {
                throw AdminCommand.UsageError(description: "No account has the email \(email).")
            }
            output.write(Data(try await ReferralExport.member(try user.requireID(), on: app.db).utf8))
            if signature.file != "-" { context.console.print("The ledger of \(email) written to \(signature.file).") }
        } else {
            var rows = -1
            try await ReferralExport.all(on: app.db) { text in
                output.write(Data(text.utf8))
                rows += text.components(separatedBy: "\r\n").count - 1
            }
            if signature.file != "-" { context.console.print("\(max(0, rows)) referrals written to \(signature.file), without client details.") }
        }
    }
}
