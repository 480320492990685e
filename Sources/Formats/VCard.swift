import Foundation

/// vCard 2.1, 3.0 (RFC 2426) and 4.0 (RFC 6350), read leniently and written strictly.
///
/// Reading takes what phones, Google, Apple and Outlook export: folded lines, vCard 2.1
/// quoted-printable values with soft line breaks and a CHARSET, bare 2.1 types (`TEL;HOME;VOICE:`),
/// grouped properties (`item1.EMAIL`), `tel:` URIs, escaped commas and semicolons, several cards in
/// one file and text between them. Photos, logos, sounds and keys are skipped unread. A card that is
/// broken is reported by its position and line; the others are read.
public enum VCard {
    public enum Version: String, Sendable, CaseIterable { case v3 = "3.0", v4 = "4.0" }

    public struct Parsed: Sendable {
        public var cards: [ContactCard]
        public var problems: [ContactProblem]
        /// Non-blank lines outside any card (a mail client's banner, a truncated paste), skipped.
        public var ignoredLines: Int
    }

    public static func parse(_ data: Data) throws(ContactFileError) -> Parsed {
        parse(text: try ContactFiles.text(data))
    }

    public static func parse(text: String) -> Parsed {
        var parsed = Parsed(cards: [], problems: [], ignoredLines: 0)
        var card: ContactCard?
        var broken: String?
        var position = 0
        func finish() {
            guard let done = card else { return }
            if let broken {
                parsed.problems.append(.init(position: position, line: done.line, reason: broken))
            } else if done.displayName.isEmpty {
                parsed.problems.append(.init(position: position, line: done.line, reason: "the card has no name, email address or phone number"))
            } else {
                parsed.cards.append(done)
            }
            card = nil
            broken = nil
        }
        for (number, line) in unfold(text) {
            guard let property = Property(line) else {
                if card != nil {
                    if broken == nil { broken = "line \(number) is not a vCard property: “\(line.prefix(40))”" }
                } else {
                    parsed.ignoredLines += 1
                }
                continue
            }
            let marker = property.name == "BEGIN" || property.name == "END" ? property.value.uppercased() : ""
            switch (property.name, marker) {
            case ("BEGIN", "VCARD"):
                if card != nil {
                    broken = broken ?? "the card has no END:VCARD before the next card starts"
                    finish()
                }
                position += 1
                card = ContactCard(line: number)
            case ("END", "VCARD"):
                if card == nil { parsed.ignoredLines += 1 }
                finish()
            default:
                if card == nil { parsed.ignoredLines += 1 } else { card?.apply(property) }
            }
        }
        if card != nil {
            broken = broken ?? "the file ends inside this card (no END:VCARD)"
            finish()
        }
        for index in parsed.cards.indices { parsed.cards[index].finishName() }
        return parsed
    }

    /// Logical lines with the number of the physical line each starts on: folded lines (a leading
    /// space or tab) are joined, and so are 2.1 quoted-printable soft breaks (a line ending in `=`).
    static func unfold(_ text: String) -> [(Int, String)] {
        var lines: [(Int, String)] = []
        var number = 0
        // Physical lines found on the UTF-8 bytes (CR, LF and CRLF end a line; all three are ASCII, so
        // every cut is a character boundary): a 10,000-card file is split in milliseconds.
        let utf8 = text.utf8
        var start = utf8.startIndex
        var cursor = start
        func take(_ physical: Substring) {
            number += 1
            if let last = lines.last {
                if last.1.utf8.last == UInt8(ascii: "="), last.1.prefix(while: { $0 != ":" }).uppercased().contains("QUOTED-PRINTABLE") {
                    lines[lines.count - 1].1 = String(last.1.dropLast()) + physical
                    return
                }
                if let first = physical.utf8.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                    lines[lines.count - 1].1 += physical.dropFirst()
                    return
                }
            }
            if physical.allSatisfy(\.isWhitespace) { return }
            lines.append((number, String(physical)))
        }
        while cursor < utf8.endIndex {
            let byte = utf8[cursor]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                take(text[start..<cursor])
                cursor = utf8.index(after: cursor)
                if byte == UInt8(ascii: "\r"), cursor < utf8.endIndex, utf8[cursor] == UInt8(ascii: "\n") { cursor = utf8.index(after: cursor) }
                start = cursor
            } else {
                cursor = utf8.index(after: cursor)
            }
        }
        take(text[start..<utf8.endIndex])
        return lines
    }

    /// `[group.]NAME;param=a,b;param2:value`, with parameter values in double quotes allowed to hold `:` `;` `,`.
    struct Property {
        var name: String
        var parameters: [String: [String]] = [:]
        var value: String

        init?(_ line: String) {
            // `:`, `;` and `"` are ASCII: the line is cut on its UTF-8 bytes, each cut a character boundary.
            var inQuotes = false
            var pieces: [String] = []
            var current = ""
            var pieceStart = line.utf8.startIndex
            var valueStart: String.Index?
            var index = line.utf8.startIndex
            while index < line.utf8.endIndex {
                let byte = line.utf8[index]
                if byte == UInt8(ascii: "\"") {
                    current += line[pieceStart..<index]
                    inQuotes.toggle()
                    pieceStart = line.utf8.index(after: index)
                } else if !inQuotes, byte == UInt8(ascii: ":") {
                    valueStart = line.utf8.index(after: index)
                    break
                } else if !inQuotes, byte == UInt8(ascii: ";") {
                    pieces.append(current + line[pieceStart..<index])
                    current = ""
                    pieceStart = line.utf8.index(after: index)
                }
                index = line.utf8.index(after: index)
            }
            guard let valueStart else { return nil }
            pieces.append(current + line[pieceStart..<index])
            let qualified = VCard.trimmed(pieces[0])
            let name = qualified.split(separator: ".").last.map(String.init)?.uppercased() ?? ""
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
            self.name = name
            value = String(line[valueStart...])
            for piece in pieces.dropFirst() {
                let parts = piece.split(separator: "=", maxSplits: 1).map { VCard.trimmed(String($0)) }
                if parts.count == 2 {
                    parameters[parts[0].uppercased(), default: []] += parts[1].split(separator: ",").map { $0.lowercased() }
                } else if let bare = parts.first?.lowercased(), !bare.isEmpty {
                    // vCard 2.1 leaves the parameter name out: `TEL;WORK;VOICE:` and `NOTE;QUOTED-PRINTABLE:`.
                    let key = ["quoted-printable", "base64", "b", "8bit", "7bit"].contains(bare) ? "ENCODING" : "TYPE"
                    parameters[key, default: []].append(bare)
                }
            }
            if parameters["ENCODING"]?.contains("quoted-printable") == true {
                value = Self.quotedPrintable(value, charset: parameters["CHARSET"]?.first ?? "utf-8")
            }
        }

        var types: [String] {
            (parameters["TYPE"] ?? []).filter { !["pref", "internet", "x400"].contains($0) }
        }

        static func quotedPrintable(_ text: String, charset: String) -> String {
            var bytes: [UInt8] = []
            var utf8 = Array(text.utf8)[...]
            while let byte = utf8.popFirst() {
                if byte == UInt8(ascii: "="), utf8.count >= 2,
                    let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                    utf8 = utf8.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            }
            let data = Data(bytes)
            switch charset {
            case "iso-8859-1", "latin1", "latin-1": return String(data: data, encoding: .isoLatin1) ?? String(decoding: data, as: UTF8.self)
            case "windows-1252", "cp1252": return String(data: data, encoding: .windowsCP1252) ?? String(data: data, encoding: .isoLatin1) ?? ""
            default: return String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
            }
        }
    }

    /// Splits on separators not escaped with a backslash, then undoes the escapes (`\n`, `\,`, `\;`, `\\`).
    static func components(_ value: String, separator: Character) -> [String] {
        // Most values hold neither a backslash nor the separator: nothing to split or unescape.
        if let ascii = separator.asciiValue, !value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == ascii }) { return [value] }
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in value {
            if escaped {
                switch character {
                case "n", "N": current.append("\n")
                default: current.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    static func text(_ value: String) -> String {
        trimmed(components(value, separator: "\u{0}").joined(), newlines: true)
    }

    /// `trimmingCharacters(in: .whitespaces)` (or `.whitespacesAndNewlines`), without bridging to
    /// NSString when there is nothing at either end to trim, which is nearly always.
    static func trimmed(_ value: String, newlines: Bool = false) -> String {
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last else { return value }
        if !first.properties.isWhitespace, !last.properties.isWhitespace { return value }
        return value.trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
    }

    /// The value without a scheme such as `mailto:` or `tel:` in any case.
    static func dropping(scheme: String, from value: String) -> String {
        value.utf8.count >= scheme.utf8.count && value.prefix(scheme.count).lowercased() == scheme ? String(value.dropFirst(scheme.count)) : value
    }
}

extension ContactCard {
    mutating func apply(_ property: VCard.Property) {
        switch property.name {
        case "FN":
            if name.isEmpty { name = VCard.text(property.value) }
        case "N":
            // Kept aside until the card ends: FN, when there is one, is the better name.
            if name.isEmpty {
                let parts = VCard.components(property.value, separator: ";").map { VCard.trimmed($0) }
                let ordered = [3, 1, 2, 0, 4].compactMap { parts.indices.contains($0) ? parts[$0] : nil }
                structuredName = ordered.filter { !$0.isEmpty }.joined(separator: " ")
            }
        case "ORG":
            if business.isEmpty {
                business = VCard.components(property.value, separator: ";").map { VCard.trimmed($0) }
                    .filter { !$0.isEmpty }.joined(separator: ", ")
            }
        case "EMAIL":
            let value = VCard.dropping(scheme: "mailto:", from: VCard.text(property.value))
            if !value.isEmpty { emails.append(.init(value, types: property.types)) }
        case "TEL":
            let value = VCard.dropping(scheme: "tel:", from: VCard.text(property.value))
            if !value.isEmpty { phones.append(.init(value, types: property.types.filter { $0 != "voice" })) }
        case "UID":
            uid = VCard.dropping(scheme: "urn:uuid:", from: VCard.text(property.value))
        case "URL":
            if website.isEmpty { website = VCard.text(property.value) }
        case "NOTE":
            let note = VCard.text(property.value)
            if !note.isEmpty { notes = notes.isEmpty ? note : notes + "\n\n" + note }
        case "CATEGORIES":
            for tag in VCard.components(property.value, separator: ",") {
                let tag = VCard.trimmed(tag)
                if !tag.isEmpty, !tags.contains(tag) { tags.append(tag) }
            }
        default:
            // PHOTO, LOGO, SOUND, KEY and anything else: not kept, never decoded.
            break
        }
    }

    /// A card with N and no FN takes its name from N.
    mutating func finishName() {
        if name.isEmpty, let structuredName { name = structuredName }
        structuredName = nil
    }
}
