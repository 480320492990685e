import Embeddings
import Vapor

/// `guild model fetch` downloads and verifies the sentence model; `guild model status` says where it
/// is and which matrix kernel it would use.
struct ModelCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "fetch or status")
        var action: String
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
        default:
            throw AdminCommand.UsageError(description: "Unknown action '\(signature.action)'; use: guild model fetch | guild model status")
        }
    }
}
