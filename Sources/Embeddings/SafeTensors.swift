import Foundation

/// Reads float32 tensors from a `.safetensors` file: an 8-byte little-endian header length, a JSON
/// header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
public struct SafeTensors: Sendable {
    public struct Entry: Decodable, Sendable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }

    let data: Data
    let dataStart: Int
    public let entries: [String: Entry]

    public init(contentsOf url: URL) throws {
        try self.init(data: Data(contentsOf: url, options: .alwaysMapped))
    }

    public init(data: Data) throws {
        guard data.count >= 8 else { throw EmbeddingsError.badModel("safetensors file shorter than its header") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard headerLength > 0, headerLength <= 100_000_000, 8 + headerLength <= data.count else {
            throw EmbeddingsError.badModel("safetensors header length \(headerLength) does not fit the file")
        }
        let header = data.subdata(in: 8..<(8 + headerLength))
        guard let object = try JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw EmbeddingsError.badModel("safetensors header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in object where name != "__metadata__" {
            let json = try JSONSerialization.data(withJSONObject: value)
            entries[name] = try JSONDecoder().decode(Entry.self, from: json)
        }
        self.data = data
        self.dataStart = 8 + headerLength
        self.entries = entries
    }

    /// A float32 tensor's values in row-major order, checked against the expected shape.
    public func floats(_ name: String, shape expected: [Int]) throws -> [Float] {
        guard let entry = entries[name] else { throw EmbeddingsError.badModel("no tensor \(name)") }
        guard entry.dtype == "F32" else { throw EmbeddingsError.badModel("\(name) is \(entry.dtype), not F32") }
        guard entry.shape == expected else { throw EmbeddingsError.badModel("\(name) has shape \(entry.shape), expected \(expected)") }
        let count = expected.reduce(1, *)
        guard entry.data_offsets.count == 2, entry.data_offsets[1] - entry.data_offsets[0] == count * 4,
              dataStart + entry.data_offsets[1] <= data.count else {
            throw EmbeddingsError.badModel("\(name) has a bad byte range")
        }
        let start = dataStart + entry.data_offsets[0]
        return data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + $0 * 4, as: UInt32.self))) }
        }
    }
}
