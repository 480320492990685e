import Foundation
import Testing
@testable import Embeddings

/// The model's directory: `GUILD_MODEL_DIR`, else the checkout's `.guild/model/all-MiniLM-L6-v2`
/// (where `guild model fetch` puts it). Tests that need it show as skipped without it on a developer's
/// machine; in CI (`CI` set) they run and fail, since a skip there would pass a check that never ran.
enum ModelFiles {
    static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
    /// Whether a test that needs the model runs: always in CI.
    static var runs: Bool { present || inCI }
    /// Where Debian's libopenblas0 is installed, the "both kernels" test must use it.
    static var openBLASInstalled: Bool {
        ["/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0", "/usr/lib/libopenblas.so.0"]
            .contains { FileManager.default.fileExists(atPath: $0) }
    }
    static let directory: URL = {
        if let path = ProcessInfo.processInfo.environment["GUILD_MODEL_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".guild/model/all-MiniLM-L6-v2")
    }()
    static var present: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path)
    }
    static func fixture<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
    /// Loaded once for every test: reading 90 MB of weights takes a moment.
    static let encoders: (openBLAS: SentenceEncoder?, swift: SentenceEncoder)? = {
        guard present else { return nil }
        let swift = try? SentenceEncoder(directory: directory, multiply: MatrixMultiply(preferSwift: true))
        let blas = MatrixMultiply.openBLASAvailable ? try? SentenceEncoder(directory: directory, multiply: MatrixMultiply()) : nil
        return swift.map { (blas, $0) }
    }()
}

struct TokenFixture: Decodable { var text: String; var ids: [Int32] }
struct EmbeddingFixture: Decodable { var text: String; var vector: [Float] }

@Suite("Embeddings: tokenizer and encoder against the reference implementation")
struct EmbeddingsTests {
    @Test("token ids equal Hugging Face tokenizers' for accents, punctuation, long words, emoji and other scripts",
          .enabled(if: ModelFiles.runs, "the model is not fetched (guild model fetch)"))
    func tokenizerMatchesReference() throws {
        // setup
        try #require(ModelFiles.present, "CI needs the model: guild model fetch")
        let vocabulary = try String(contentsOf: ModelFiles.directory.appendingPathComponent("vocab.txt"), encoding: .utf8)
        let tokenizer = try WordPieceTokenizer(vocabularyText: vocabulary)
        let fixtures = try ModelFiles.fixture("tokens", as: [TokenFixture].self)
        #expect(fixtures.count >= 15)
        for fixture in fixtures {
            // act / assert
            #expect(tokenizer.encode(fixture.text) == fixture.ids, "\(fixture.text)")
        }
    }

    @Test("embeddings have cosine ≥ 0.9999 with sentence-transformers' vectors, on both matrix kernels",
          .enabled(if: ModelFiles.runs, "the model is not fetched (guild model fetch)"))
    func encoderMatchesReference() throws {
        // setup
        let encoders = try #require(ModelFiles.encoders, "CI needs the model: guild model fetch")
        if ModelFiles.openBLASInstalled { try #require(encoders.openBLAS != nil, "libopenblas0 is installed but the OpenBLAS kernel did not load") }
        let fixtures = try ModelFiles.fixture("embeddings", as: [EmbeddingFixture].self)
        var kernels: [(String, SentenceEncoder)] = [("Swift SIMD", encoders.swift)]
        if let blas = encoders.openBLAS { kernels.append(("OpenBLAS", blas)) }
        for (name, encoder) in kernels {
            for fixture in fixtures {
                // act
                let vector = encoder.embed(fixture.text)
                // assert
                let cosine = zip(vector, fixture.vector).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                #expect(vector.count == 384)
                #expect(cosine >= 0.9999, "\(name): \(fixture.text.prefix(40)) cosine \(cosine)")
            }
        }
    }

    @Test("the Swift kernel multiplies like the definition, for shapes that are not multiples of its blocks")
    func swiftKernelMatchesDefinition() {
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (2, 4, 8), (5, 9, 13), (30, 33, 384)] {
            // setup
            let a = (0..<(m * k)).map { Float(($0 * 7919) % 23) / 11 - 1 }
            let b = (0..<(n * k)).map { Float(($0 * 104_729) % 19) / 9 - 1 }
            var c = [Float](repeating: .nan, count: m * n)
            // act
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        MatrixMultiply.swiftKernel(a.baseAddress!, b.baseAddress!, c.baseAddress!, m: m, n: n, k: k)
                    }
                }
            }
            // assert
            for i in 0..<m {
                for j in 0..<n {
                    let expected = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[j * k + $1] }
                    #expect(abs(c[i * n + j] - expected) <= 1e-3 * max(1, abs(expected)), "\(m)×\(n)×\(k) at \(i),\(j)")
                }
            }
        }
    }

    @Test("a broken model file is refused with a reason, not a crash")
    func badSafeTensors() {
        #expect(throws: EmbeddingsError.self) { try SafeTensors(data: Data([1, 2, 3])) }
        #expect(throws: EmbeddingsError.self) { try SafeTensors(data: Data([255, 255, 255, 255, 0, 0, 0, 0, 1])) }
        var header = Data("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        let file = Data((0..<8).map { UInt8((header.count >> (8 * $0)) & 0xFF) }) + header + Data(count: 4)
        #expect(throws: EmbeddingsError.self) { try SafeTensors(data: file).floats("a", shape: [2]) }  // data cut short
        #expect(throws: EmbeddingsError.self) { try SafeTensors(data: file).floats("a", shape: [3]) }
        #expect(throws: EmbeddingsError.self) { try SafeTensors(data: file).floats("b", shape: [2]) }
    }
}

