import Foundation

extension VCard {
    /// Cards as a vCard file: CRLF line ends, lines folded at 75 octets without splitting a character,
    /// text escaped. 3.0 is what Apple Contacts writes and what Google and every phone re-import;
    /// 4.0 is RFC 6350 with `tel:` URIs where the number allows one.
    public static func write(_ cards: [ContactCard], version: Version = .v3) -> String {
        var out = ""
        out.reserveCapacity(cards.count * 300)
        for card in cards {
            var lines = ["BEGIN:VCARD", "VERSION:\(version.rawValue)"]
            let name = card.displayName
            lines.append("FN:" + escape(name))
            let words = card.name.split(separator: " ").map(String.init)
            let family = words.count > 1 ? words.last! : (words.first ?? "")
            let given = words.count > 1 ? words.dropLast().joined(separator: " ") : ""
            lines.append("N:\(escape(family));\(escape(given));;;")
            if !card.business.isEmpty { lines.append("ORG:" + escape(card.business)) }
            for email in card.emails {
                let types = version == .v3 ? ["INTERNET"] + email.types.map { $0.uppercased() } : email.types
                lines.append("EMAIL" + typeParameter(types) + ":" + escape(email.value))
            }
            for phone in card.phones {
                let types = version == .v3 ? phone.types.map { $0.uppercased() } : phone.types
                if version == .v4, let uri = telURI(phone.value) {
                    lines.append("TEL;VALUE=uri" + typeParameter(types) + ":" + uri)
                } else {
                    lines.append("TEL" + (version == .v4 ? ";VALUE=text" : "") + typeParameter(types) + ":" + escape(phone.value))
                }
            }
            if !card.website.isEmpty { lines.append("URL:" + card.website) }
            if !card.notes.isEmpty { lines.append("NOTE:" + escape(card.notes)) }
            if !card.tags.isEmpty { lines.append("CATEGORIES:" + card.tags.map(escape).joined(separator: ",")) }
            if !card.uid.isEmpty { lines.append("UID:" + (version == .v4 ? "urn:uuid:" : "") + card.uid) }
            lines.append("END:VCARD")
            for line in lines { fold(line, into: &out) }
        }
        return out
    }

    static func typeParameter(_ types: [String]) -> String {
        let safe = types.filter { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
        return safe.isEmpty ? "" : ";TYPE=" + safe.joined(separator: ",")
    }

    /// RFC 6350 §3.4: backslash, comma, semicolon and line breaks.
    static func escape(_ text: String) -> String { ContentLine.escape(text) }

    /// `tel:+15551234567` for a number written with a country code; nil when it cannot be a global number.
    static func telURI(_ number: String) -> String? {
        let trimmed = number.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("+") else { return nil }
        let digits = trimmed.dropFirst().filter { !" -.()".contains($0) }
        guard (6...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return "tel:+" + digits
    }

    /// Appends a content line folded at 75 octets (RFC 6350 §3.2).
    static func fold(_ line: String, into out: inout String) { ContentLine.fold(line, into: &out) }
}
