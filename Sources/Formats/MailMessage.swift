import Foundation

/// An RFC 5322 message as a mail server hands it to a pipe: its headers (unfolded, RFC 2047 words
/// decoded) and its plain text, taken from a MIME tree when there is one.
public struct MailMessage: Sendable {
    public var headers: [(name: String, value: String)]
    public var text: String

    public static let maxSize = 10 * 1_048_576

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func all(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// Message identifiers in `<…>` (Message-ID, In-Reply-To, References), without the brackets.
    public static func messageIDs(_ value: String?) -> [String] {
        guard let value else { return [] }
        var ids: [String] = []
        var rest = value[...]
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            ids.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    /// The addresses in an address header (`"Ada" <ada@example.com>, bob@example.com`), lower-cased.
    public static func addresses(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",").compactMap { part in
            let address: Substring
            if let open = part.lastIndex(of: "<"), let close = part[open...].firstIndex(of: ">") {
                address = part[part.index(after: open)..<close]
            } else {
                address = part
            }
            let trimmed = address.trimmingCharacters(in: .whitespaces).lowercased()
            return trimmed.contains("@") ? trimmed : nil
        }
    }

    public static func parse(_ data: Data) -> MailMessage {
        let text = String(decoding: data.prefix(maxSize), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let (headers, body) = split(text)
        return MailMessage(headers: headers, text: plainText(headers: headers, body: body))
    }

    /// Headers (unfolded) and the body after the first blank line.
    static func split(_ text: String) -> ([(name: String, value: String)], String) {
        let end = text.range(of: "\n\n")
        let head = end.map { text[..<$0.lowerBound] } ?? text[...]
        let body = end.map { String(text[$0.upperBound...]) } ?? ""
        var headers: [(name: String, value: String)] = []
        for line in head.split(separator: "\n") {
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers.map { ($0.name, decodeWords($0.value)) }, body)
    }

    /// The first text/plain part, decoded; HTML alone is reduced to its text.
    static func plainText(headers: [(name: String, value: String)], body: String, depth: Int = 0) -> String {
        let type = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        let lowered = type.lowercased()
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased() ?? ""
        if lowered.hasPrefix("multipart/"), depth < 5, let boundary = parameter("boundary", in: type) {
            let parts = body.components(separatedBy: "--" + boundary).dropFirst().filter { !$0.hasPrefix("--") }
            var html: String?
            for part in parts {
                let (partHeaders, partBody) = split(String(part.drop(while: { $0 == "\n" })))
                let partType = partHeaders.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? "text/plain"
                if partType.hasPrefix("text/html") {
                    html = html ?? plainText(headers: partHeaders, body: partBody, depth: depth + 1)
                    continue
                }
                if partType.hasPrefix("text/plain") || partType.hasPrefix("multipart/") {
                    let text = plainText(headers: partHeaders, body: partBody, depth: depth + 1)
                    if !text.isEmpty { return text }
                }
            }
            return html ?? ""
        }
        let charset = parameter("charset", in: type)?.lowercased() ?? "utf-8"
        let bytes: Data
        switch encoding {
        case "base64": bytes = Data(base64Encoded: body.filter { !$0.isWhitespace }) ?? Data()
        case "quoted-printable": bytes = quotedPrintable(body)
        default: bytes = Data(body.utf8)
        }
        var text = (charset.contains("8859") || charset.contains("1252") ? String(data: bytes, encoding: .windowsCP1252) : nil)
            ?? String(decoding: bytes, as: UTF8.self)
        if lowered.hasPrefix("text/html") {
            text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    static func quotedPrintable(_ text: String) -> Data {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            guard byte == UInt8(ascii: "=") else { bytes.append(byte); continue }
            if input.first == UInt8(ascii: "\n") { input = input.dropFirst(); continue }
            if input.count >= 2, let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return Data(bytes)
    }

    /// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in a header value.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let pattern = #/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/#
        return value.replacing(pattern) { match in
            let (_, charset, kind, payload) = match.output
            let bytes: Data = kind.lowercased() == "b"
                ? Data(base64Encoded: String(payload)) ?? Data()
                : quotedPrintable(payload.replacingOccurrences(of: "_", with: " "))
            if charset.lowercased().contains("8859") || charset.lowercased().contains("1252") {
                return String(data: bytes, encoding: .windowsCP1252) ?? String(data: bytes, encoding: .isoLatin1) ?? ""
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
