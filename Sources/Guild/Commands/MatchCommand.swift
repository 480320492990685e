import Foundation
import SQLKit
import Vapor

/// `guild match "NEED" [--city C] [--remote] [--limit N] [--json]`: who can help, from the command
/// line, with no server running. Members not embedded yet are embedded first (progress on standard
/// error), and the model is fetched if it is missing. With `--json`, standard output is one object
/// `{"semantic": Bool, "matches": [...]}`, the matches being
/// `{"email","slug","name","score","reasons"}` and nothing else.
struct MatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "need", help: "The client's need, in their words.")
        var need: String
        @Option(name: "city", help: "Only members in this city (or remote ones, with --remote).")
        var city: String?
        @Flag(name: "remote", help: "Remote help is fine.")
        var remote: Bool
        @Option(name: "limit", help: "How many members (1–50, default 10).")
        var limit: Int?
        @Flag(name: "json", help: "Print JSON only.")
        var json: Bool
    }

    var help: String { "Finds the members who can help with a need." }

    struct Line: Encodable { var email: String; var slug: String; var name: String; var score: Double; var reasons: [MatchReason] }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let note: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let need = try MatchNeed.validated(need: signature.need, city: signature.city, remote: signature.remote, limit: signature.limit)
        try await app.autoMigrate()
        let model = app.matchingModel
        await model.fetchIfMissing(allowed: app.guildConfig.modelFetch, progress: note) { error in
            note("semantic matching off: could not fetch the model (\(error)); matching by words")
        }
        if let encoder = await model.load(on: app.threadPool, logger: app.logger) {
            let embedder = MatchEmbedder(db: app.db, encoder: encoder, pool: app.threadPool)
            let waiting = try await MatchEmbedder.waiting(on: app.db)
            if waiting > 0 {
                note("embedding \(waiting) profile texts…")
                try await embedder.embedAll { done, remaining in note("  \(done) embedded, \(remaining) to go") }
            }
        } else if case .off(let reason) = model.status {
            note("semantic matching off: \(reason); matching by words")
        }
        let results = try await Matcher.match(need, app: app, db: app.db)
        struct EmailRow: Decodable { var slug: String; var email: String }
        let emails = results.matches.isEmpty ? [:] : Dictionary(
            try await app.db.sql.raw("""
                SELECT p.slug, u.email FROM profiles p JOIN users u ON u.id = p.user_id WHERE p.slug IN (\(binds: results.matches.map(\.slug)))
                """).all(decoding: EmailRow.self).map { ($0.slug, $0.email) }, uniquingKeysWith: { first, _ in first })
        if signature.json {
            // Whether the model matched: an evaluation of words-only matching would measure the wrong thing.
            struct Output: Encodable { var semantic: Bool; var matches: [Line] }
            let lines = results.matches.map { Line(email: emails[$0.slug] ?? "", slug: $0.slug, name: $0.name, score: $0.score, reasons: $0.reasons) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(Output(semantic: results.semantic, matches: lines)) + Data("\n".utf8))
            return
        }
        if !results.semantic { context.console.print("(matched by words: the model is off)") }
        if results.matches.isEmpty { context.console.print(results.suggestion ?? "Nobody matched.") }
        for (rank, match) in results.matches.enumerated() {
            context.console.print("\(rank + 1). \(match.name) — \(match.business) (\(emails[match.slug] ?? match.slug)) score \(match.score)")
            for reason in match.reasons { context.console.print("     \(reason.text)") }
        }
    }
}
