import Crypto
import Foundation

/// The keys runbooks are sealed with: the current one (`GUILD_RUNBOOK_KEY`) seals, and it or an
/// older one (`GUILD_RUNBOOK_OLD_KEYS`, during a rotation) opens. Each key is 32 random bytes, given
/// as base64 (`openssl rand -base64 32`) or 64 hex digits; anything shorter or visibly not random is
/// refused when the configuration is read.
public struct RunbookKeys: Sendable, Equatable {
    public var current: Data
    public var old: [Data]

    /// A key's name in the database: the first 8 hex digits of its SHA-256 (naming, not revealing, it).
    static func id(of key: Data) -> String {
        SHA256.hash(data: key).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    public var currentID: String { Self.id(of: current) }
    public var allIDs: Set<String> { Set(([current] + old).map(Self.id)) }

    /// One key from its text, or the reason it is refused.
    public static func parse(_ raw: String) -> Result<Data, KeyProblem> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var bytes: Data?
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var data = Data()
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                data.append(UInt8(text[index..<next], radix: 16)!)
                index = next
            }
            bytes = data
        } else {
            bytes = Data(base64Encoded: text)
        }
        guard let bytes else { return .failure(.notEncoded) }
        guard bytes.count == 32 else { return .failure(.wrongLength(bytes.count)) }
        // 32 random bytes have about 28 distinct values; a key typed by hand or made of a pattern has few.
        guard Set(bytes).count >= 16 else { return .failure(.notRandom) }
        return .success(bytes)
    }

    public enum KeyProblem: Error, Equatable, Sendable {
        case notEncoded, wrongLength(Int), notRandom

        public var sentence: String {
            switch self {
            case .notEncoded: "must be 32 random bytes as base64 or 64 hex digits (make one with: openssl rand -base64 32)"
            case .wrongLength(let count): "is \(count) bytes; it must be 32 random bytes (make one with: openssl rand -base64 32)"
            case .notRandom: "is too weak: it does not look random (make one with: openssl rand -base64 32)"
            }
        }
    }
}

/// Seals and opens runbooks with AES-GCM. The member's id is authenticated with each runbook, so a
/// sealed runbook copied onto another member's row does not open.
struct RunbookCipher: Sendable {
    let keys: RunbookKeys

    struct Sealed: Sendable {
        var keyID: String
        var text: String
    }

    enum Failure: Error { case unknownKey(String), damaged }

    func seal(_ plaintext: Data, member: UUID) throws -> Sealed {
        let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: keys.current), authenticating: Self.context(member))
        guard let combined = box.combined else { throw Failure.damaged }
        return Sealed(keyID: keys.currentID, text: combined.base64EncodedString())
    }

    func open(_ sealed: Sealed, member: UUID) throws -> Data {
        guard let key = ([keys.current] + keys.old).first(where: { RunbookKeys.id(of: $0) == sealed.keyID }) else {
            throw Failure.unknownKey(sealed.keyID)
        }
        guard let combined = Data(base64Encoded: sealed.text), let box = try? AES.GCM.SealedBox(combined: combined) else {
            throw Failure.damaged
        }
        do {
            return try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Self.context(member))
        } catch {
            throw Failure.damaged
        }
    }

    static func context(_ member: UUID) -> Data { Data("guild-runbook:\(member.uuidString)".utf8) }

    /// A new random key as base64, for `guild cover new-key` and the demo.
    static func newKey() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString() }
}
