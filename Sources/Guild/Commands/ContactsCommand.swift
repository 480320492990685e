import Fluent
import Formats
import Vapor

/// `guild contacts import FILE --member EMAIL` (a .vcf or .csv file; CSV columns recognised by their
/// header) and `guild contacts export FILE --member EMAIL [--version 3.0|4.0]` (- for standard output).
struct ContactsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "import or export")
        var action: String
        @Argument(name: "file", help: "The .vcf or .csv file to read, or where to write the vCard file (- for standard input or output)")
        var file: String
        @Option(name: "member", help: "The email address of the member whose contacts these are")
        var member: String?
        @Option(name: "version", help: "export: vCard 3.0 (default) or 4.0")
        var version: String?
    }

    var help: String { "Imports or exports a member's contacts (vCard or CSV)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard ["import", "export"].contains(signature.action) else {
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild contacts import|export FILE --member EMAIL")
        }
        guard let email = signature.member else { throw AdminCommand.UsageError(description: "Say whose contacts: --member EMAIL") }
        try await app.autoMigrate()
        guard let user = try await User.query(on: app.db).filter(\.$email == email.lowercased()).first() else {
            throw AdminCommand.UsageError(description: "No account has the email \(email).")
        }
        let owner = try user.requireID()
        if signature.action == "export" {
            guard let version = VCard.Version(rawValue: signature.version ?? "3.0") else {
                throw AdminCommand.UsageError(description: "--version is 3.0 or 4.0.")
            }
            let cards = try await ContactImport.export(owner, on: app.db)
            let text = VCard.write(cards, version: version)
            if signature.file == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                guard FileManager.default.createFile(atPath: signature.file, contents: Data(text.utf8)) else {
                    throw AdminCommand.UsageError(description: "Cannot write \(signature.file).")
                }
                context.console.print("\(cards.count) contacts of \(email) written to \(signature.file) (vCard \(version.rawValue)).")
            }
            return
        }
        let data: Data
        if signature.file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: signature.file) else {
                throw AdminCommand.UsageError(description: "Cannot read \(signature.file).")
            }
            data = read
        }
        let started = ContinuousClock.now
        let report: ContactImport.Report
        do {
            if signature.file.lowercased().hasSuffix(".csv") {
                let table = try ContactCSV.table(data)
                let mapping = ContactCSV.guessMapping(table.header)
                context.console.print("Columns: " + zip(table.header, mapping).map { "\($0) → \($1.label)" }.joined(separator: ", "))
                let (cards, problems) = ContactCSV.cards(table, mapping: mapping)
                report = try await ContactImport.run(cards, problems: problems, owner: owner, on: app.db)
            } else {
                let parsed = try VCard.parse(data)
                report = try await ContactImport.run(parsed.cards, problems: parsed.problems, owner: owner, on: app.db)
            }
        } catch let error as ContactFileError {
            throw AdminCommand.UsageError(description: error.reason)
        }
        for problem in report.problems { context.console.print("skipped \(problem.text)") }
        let elapsed = ContinuousClock.now - started
        context.console.print("\(report.created) created, \(report.updated) updated, \(report.problems.count) skipped in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))).")
    }
}

/// `guild mail receive [--recipient ADDRESS]`: reads one RFC 5322 message on standard input, as a
/// mail server's pipe delivers it, and marks the follow-up it answers. Postfix: in /etc/aliases,
/// `guild-replies: "|/usr/local/bin/guild mail receive"`, with `recipient_delimiter = +` so that
/// reply+TOKEN@ reaches it (and `--recipient ${recipient}` from a pipe transport, if you use one).
struct MailCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "receive")
        var action: String
        @Option(name: "recipient", help: "The envelope recipient, when the mail server passes it")
        var recipient: String?
    }

    var help: String { "Reads a reply from standard input and marks the follow-up it answers." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "receive" else {
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild mail receive < message.eml")
        }
        let app = context.application
        try await app.autoMigrate()
        // At most the limit and one byte more: a larger message is refused without holding it all.
        var data = Data()
        while data.count <= MailReceive.maxBytes {
            let chunk = FileHandle.standardInput.readData(ofLength: min(1_048_576, MailReceive.maxBytes + 1 - data.count))
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        let outcome = try await MailReceive.receive(data, recipient: signature.recipient, config: app.guildConfig, on: app.db)
        // Never the message or the token: only what happened.
        app.logger.notice("mail receive: \(outcome)")
        context.console.print(outcome.description)
    }
}
