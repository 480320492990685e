import Embeddings
import Vapor

/// `guild model fetch` downloads and verifies the sentence model; `guild model status` says where it
/// is, which matrix kernel it would use and how many texts wait to be embedded; `guild model bench
/// --needs FILE` times embedding each line of FILE on every kernel this machine has.
struct ModelCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "fetch, status or bench")
        var action: String
        @Option(name: "needs", help: "bench: a file with one need per line")
        var needs: String?
        @Flag(name: "force", help: "Fetch again even if the model is present.")
        var force: Bool
    }

    var help: String { "Fetches the sentence model for semantic matching (into GUILD_MODEL_DIR), or shows its status." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let model = context.application.matchingModel
        switch signature.action {
        case "fetch":
            if model.filesPresent && !signature.force {
                context.console.print("The model is already in \(model.directory.path) (use --force to fetch it again).")
                return
            }
            let console = context.console
            try await MatchingModel.fetch(into: model.directory) { console.print($0) }
        case "status":
            context.console.print(model.filesPresent ? "model: \(model.directory.path)" : "model: missing (guild model fetch puts it in \(model.directory.path))")
            context.console.print("matrix kernel: \(MatrixMultiply(preferSwift: model.preferSwiftKernel).backend.rawValue)")
            if (try? await context.application.autoMigrate()) != nil, let waiting = try? await MatchEmbedder.waiting(on: context.application.db) {
                context.console.print("texts waiting to be embedded: \(waiting)")
            }
        case "bench":
            guard let file = signature.needs, let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw AdminCommand.UsageError(description: "guild model bench --needs FILE (one need per line)")
            }
            let needs = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            var kernels = [true]
            if MatrixMultiply.openBLASAvailable { kernels.insert(false, at: 0) }
            for preferSwift in kernels {
                let encoder = try SharedEncoders.encoder(directory: model.directory, preferSwift: preferSwift)
                for need in needs.prefix(5) { _ = encoder.embed(need) }  // warm up
                var times: [Double] = []
                for _ in 0..<3 {
                    for need in needs {
                        let start = ContinuousClock.now
                        _ = encoder.embed(need)
                        let elapsed = ContinuousClock.now - start
                        times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                    }
                }
                times.sort()
                let tokens = needs.map { encoder.tokenizer.encode($0).count }.sorted()
                context.console.print(String(
                    format: "%@: %d needs × 3, tokens median %d, embed ms median %.2f p90 %.2f p99 %.2f (one thread)",
                    encoder.multiply.backend.rawValue, needs.count, tokens[tokens.count / 2],
                    times[times.count / 2], times[times.count * 9 / 10], times[times.count * 99 / 100]))
            }
        default:
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild model fetch | status | bench --needs FILE")
        }
    }
}
