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
            switch (property.name, property.value.uppercased()) {
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
        // "\r\n" is one Character in Swift: split on it as well as on "\n" and a lone "\r".
        for physical in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            if let last = lines.last {
                let head = last.1.prefix(while: { $0 != ":" }).uppercased()
                if head.contains("QUOTED-PRINTABLE"), last.1.hasSuffix("=") {
                    lines[lines.count - 1].1 = String(last.1.dropLast()) + physical
                    continue
                }
                if let first = physical.first, first == " " || first == "\t" {
                    lines[lines.count - 1].1 += physical.dropFirst()
                    continue
                }
            }
            if physical.allSatisfy(\.isWhitespace) { continue }
            lines.append((number, String(physical)))
        }
        return lines
    }

    /// `[group.]NAME;param=a,b;param2:value`, with parameter values in double quotes allowed to hold `:` `;` `,`.
    struct Property {
        var name: String
        var parameters: [String: [String]] = [:]
        var value: String

        init?(_ line: String) {
            var inQuotes = false
            var pieces: [String] = []
            var current = ""
            var valueStart: String.Index?
            for index in line.indices {
                let character = line[index]
                if character == "\"" { inQuotes.toggle(); continue }
                if !inQuotes, character == ":" { valueStart = line.index(after: index); break }
                if !inQuotes, character == ";" { pieces.append(current); current = ""; continue }
                current.append(character)
            }
            guard let valueStart else { return nil }
            pieces.append(current)
            let qualified = pieces[0].trimmingCharacters(in: .whitespaces)
            let name = qualified.split(separator: ".").last.map(String.init)?.uppercased() ?? ""
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
            self.name = name
            value = String(line[valueStart...])
            for piece in pieces.dropFirst() {
                let parts = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
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
        components(value, separator: "\u{0}").joined().trimmingCharacters(in: .whitespacesAndNewlines)
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
                let parts = VCard.components(property.value, separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                let ordered = [3, 1, 2, 0, 4].compactMap { parts.indices.contains($0) ? parts[$0] : nil }
                structuredName = ordered.filter { !$0.isEmpty }.joined(separator: " ")
            }
        case "ORG":
            if business.isEmpty {
                business = VCard.components(property.value, separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }.joined(separator: ", ")
            }
        case "EMAIL":
            let value = VCard.text(property.value).replacingOccurrences(of: "mailto:", with: "", options: [.caseInsensitive, .anchored])
            if !value.isEmpty { emails.append(.init(value, types: property.types)) }
        case "TEL":
            let value = VCard.text(property.value).replacingOccurrences(of: "tel:", with: "", options: [.caseInsensitive, .anchored])
            if !value.isEmpty { phones.append(.init(value, types: property.types.filter { $0 != "voice" })) }
        case "UID":
            uid = VCard.text(property.value).replacingOccurrences(of: "urn:uuid:", with: "", options: [.caseInsensitive, .anchored])
        case "URL":
            if website.isEmpty { website = VCard.text(property.value) }
        case "NOTE":
            let note = VCard.text(property.value)
            if !note.isEmpty { notes = notes.isEmpty ? note : notes + "\n\n" + note }
        case "CATEGORIES":
            for tag in VCard.components(property.value, separator: ",") {
                let tag = tag.trimmingCharacters(in: .whitespaces)
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
