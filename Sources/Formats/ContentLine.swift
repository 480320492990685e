/// The content lines vCard (RFC 6350 §3.2–3.4) and iCalendar (RFC 5545 §3.1, §3.3.11) share:
/// the same text escaping and the same folding at 75 octets.
enum ContentLine {
    /// Backslash, comma, semicolon and line breaks escaped; other control characters dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ",": out += "\\,"
            case ";": out += "\\;"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            default:
                // Other control characters have no place in a property value.
                if scalar.value >= 0x20 && scalar.value != 0x7F { out.unicodeScalars.append(scalar) }
            }
            previousWasCR = scalar == "\r"
        }
        return out
    }

    /// Appends a content line folded at 75 octets, never inside a UTF-8 sequence, ended by CRLF.
    static func fold(_ line: String, into out: inout String) {
        var width = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if width + size > 75 {
                out += "\r\n "
                width = 1
            }
            out.unicodeScalars.append(scalar)
            width += size
        }
        out += "\r\n"
    }
}
