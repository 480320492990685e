import Foundation

/// all-MiniLM-L6-v2 in process: a 6-layer BERT (hidden 384, 12 heads, feed-forward 1536), then the
/// mean of the last layer over the tokens, L2-normalised, as sentence-transformers computes it.
/// Thread-safe: weights are read-only and every call works in its own buffers.
public final class SentenceEncoder: Sendable {
    public static let dimension = 384
    static let layers = 6, heads = 12, headSize = 32, intermediate = 1536, maxPositions = 512
    /// sentence-transformers truncates this model's input to 256 tokens.
    public static let maxTokens = 256

    struct Layer: Sendable {
        var qkv: [Float], qkvBias: [Float]  // query, key and value weights stacked: one product for all three
        var output: [Float], outputBias: [Float], attentionNorm: (weight: [Float], bias: [Float])
        var up: [Float], upBias: [Float], down: [Float], downBias: [Float], outputNorm: (weight: [Float], bias: [Float])
    }

    public let tokenizer: WordPieceTokenizer
    public let multiply: MatrixMultiply
    let wordEmbeddings: [Float], positionEmbeddings: [Float], typeEmbedding: [Float]
    let embeddingNorm: (weight: [Float], bias: [Float])
    let layers: [Layer]

    /// Loads `model.safetensors` and `vocab.txt` from a directory.
    public convenience init(directory: URL, multiply: MatrixMultiply = MatrixMultiply()) throws {
        let vocabulary = try String(contentsOf: directory.appendingPathComponent("vocab.txt"), encoding: .utf8)
        try self.init(
            tokenizer: WordPieceTokenizer(vocabularyText: vocabulary),
            weights: SafeTensors(contentsOf: directory.appendingPathComponent("model.safetensors")), multiply: multiply)
    }

    public init(tokenizer: WordPieceTokenizer, weights: SafeTensors, multiply: MatrixMultiply) throws {
        let h = Self.dimension
        func norm(_ prefix: String) throws -> (weight: [Float], bias: [Float]) {
            (try weights.floats(prefix + ".weight", shape: [h]), try weights.floats(prefix + ".bias", shape: [h]))
        }
        self.tokenizer = tokenizer
        self.multiply = multiply
        wordEmbeddings = try weights.floats("embeddings.word_embeddings.weight", shape: [tokenizer.vocabulary.count, h])
        positionEmbeddings = try weights.floats("embeddings.position_embeddings.weight", shape: [Self.maxPositions, h])
        typeEmbedding = Array(try weights.floats("embeddings.token_type_embeddings.weight", shape: [2, h]).prefix(h))
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<Self.layers).map { index in
            let p = "encoder.layer.\(index)."
            let attention = p + "attention.self."
            return Layer(
                qkv: try ["query", "key", "value"].flatMap { try weights.floats(attention + $0 + ".weight", shape: [h, h]) },
                qkvBias: try ["query", "key", "value"].flatMap { try weights.floats(attention + $0 + ".bias", shape: [h]) },
                output: try weights.floats(p + "attention.output.dense.weight", shape: [h, h]),
                outputBias: try weights.floats(p + "attention.output.dense.bias", shape: [h]),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                up: try weights.floats(p + "intermediate.dense.weight", shape: [Self.intermediate, h]),
                upBias: try weights.floats(p + "intermediate.dense.bias", shape: [Self.intermediate]),
                down: try weights.floats(p + "output.dense.weight", shape: [h, Self.intermediate]),
                downBias: try weights.floats(p + "output.dense.bias", shape: [h]),
                outputNorm: try norm(p + "output.LayerNorm"))
        }
    }

    /// The sentence's unit vector (384 floats).
    public func embed(_ text: String) -> [Float] {
        embed(tokens: tokenizer.encode(text, maxTokens: Self.maxTokens))
    }

    public func embed(tokens: [Int32]) -> [Float] {
        let n = tokens.count, h = Self.dimension
        var x = [Float](repeating: 0, count: n * h)
        for (position, token) in tokens.enumerated() {
            let word = Int(token) * h, place = position * h
            for d in 0..<h { x[place + d] = wordEmbeddings[word + d] + positionEmbeddings[place + d] + typeEmbedding[d] }
        }
        layerNorm(&x, rows: n, embeddingNorm)
        var qkv = [Float](repeating: 0, count: n * 3 * h), context = [Float](repeating: 0, count: n * h)
        var projected = [Float](repeating: 0, count: n * h), hidden = [Float](repeating: 0, count: n * Self.intermediate)
        var scores = [Float](repeating: 0, count: n)
        for layer in layers {
            linear(x, layer.qkv, layer.qkvBias, into: &qkv, rows: n, out: 3 * h, in: h)
            attend(qkv, into: &context, rows: n, scores: &scores)
            linear(context, layer.output, layer.outputBias, into: &projected, rows: n, out: h, in: h)
            for i in x.indices { x[i] += projected[i] }
            layerNorm(&x, rows: n, layer.attentionNorm)
            linear(x, layer.up, layer.upBias, into: &hidden, rows: n, out: Self.intermediate, in: h)
            for i in hidden.indices { hidden[i] = gelu(hidden[i]) }
            linear(hidden, layer.down, layer.downBias, into: &projected, rows: n, out: h, in: Self.intermediate)
            for i in x.indices { x[i] += projected[i] }
            layerNorm(&x, rows: n, layer.outputNorm)
        }
        var pooled = [Float](repeating: 0, count: h)
        for row in 0..<n { for d in 0..<h { pooled[d] += x[row * h + d] } }
        let length = pooled.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return pooled.map { $0 / max(length, 1e-12) }
    }

    private func linear(_ input: [Float], _ weight: [Float], _ bias: [Float], into output: inout [Float], rows: Int, out: Int, in k: Int) {
        input.withUnsafeBufferPointer { a in
            weight.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { c in
                    multiply(a.baseAddress!, b.baseAddress!, c.baseAddress!, m: rows, n: out, k: k)
                    for row in 0..<rows { for o in 0..<out { c[row * out + o] += bias[o] } }
                }
            }
        }
    }

    /// Twelve heads of 32: softmax(q·kᵀ/√32)·v, over every token (one sentence, no padding).
    private func attend(_ qkv: [Float], into context: inout [Float], rows n: Int, scores: inout [Float]) {
        let h = Self.dimension, size = Self.headSize, stride = 3 * h
        let scale = 1 / Float(size).squareRoot()
        qkv.withUnsafeBufferPointer { m in
            let raw = UnsafeRawPointer(m.baseAddress!)
            @inline(__always) func vector(_ offset: Int, _ part: Int) -> SIMD4<Float> {
                raw.loadUnaligned(fromByteOffset: (offset + part * 4) * 4, as: SIMD4<Float>.self)
            }
            for head in 0..<Self.heads {
                let q0 = head * size, k0 = h + head * size, v0 = 2 * h + head * size
                for i in 0..<n {
                    var best = -Float.infinity
                    for j in 0..<n {
                        var acc = SIMD4<Float>()
                        for part in 0..<(size / 4) { acc += vector(i * stride + q0, part) * vector(j * stride + k0, part) }
                        scores[j] = acc.sum() * scale
                        best = max(best, scores[j])
                    }
                    var total: Float = 0
                    for j in 0..<n { scores[j] = expf(scores[j] - best); total += scores[j] }
                    var out = [SIMD4<Float>](repeating: SIMD4<Float>(), count: size / 4)
                    for j in 0..<n {
                        let weight = scores[j] / total
                        for part in 0..<(size / 4) { out[part] += weight * vector(j * stride + v0, part) }
                    }
                    for part in 0..<(size / 4) {
                        for lane in 0..<4 { context[i * h + head * size + part * 4 + lane] = out[part][lane] }
                    }
                }
            }
        }
    }

    private func layerNorm(_ x: inout [Float], rows: Int, _ norm: (weight: [Float], bias: [Float])) {
        let h = Self.dimension
        for row in 0..<rows {
            let start = row * h
            var mean: Float = 0
            for d in 0..<h { mean += x[start + d] }
            mean /= Float(h)
            var variance: Float = 0
            for d in 0..<h { let v = x[start + d] - mean; variance += v * v }
            let inverse = 1 / (variance / Float(h) + 1e-12).squareRoot()
            for d in 0..<h { x[start + d] = (x[start + d] - mean) * inverse * norm.weight[d] + norm.bias[d] }
        }
    }

    /// BERT's exact GELU: x·Φ(x).
    @inline(__always) private func gelu(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
}
