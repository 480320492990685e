import Foundation

/// Internationalised domain names (RFC 3492 Punycode, RFC 5891 A-labels): "garcía21.example" is
/// "xn--garca21-bza.example" on the wire. Address books hold such addresses; mail goes to the ASCII form.
public enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    /// The Punycode of one label ("bücher" → "bcher-kva"), nil if it would overflow.
    public static func encode(_ label: String) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        var output = input.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basic = output.count
        var handled = basic
        if basic > 0 { output.append("-") }
        var n = initialN, delta = 0, bias = initialBias
        while handled < input.count {
            guard let next = input.filter({ $0 >= n }).min() else { return nil }
            let (step, overflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow, delta <= Int(Int32.max) - step else { return nil }
            delta += step
            n = next
            for scalar in input {
                if scalar < n { delta += 1 }
                guard scalar == n else { continue }
                var q = delta, k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, points: handled + 1, first: handled == basic)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    /// The ASCII form of a domain: each label lowercased, composed (NFC) and, when it is not plain
    /// ASCII, written as "xn--" and its Punycode. Nil when a label cannot be one (empty, too long).
    public static func asciiDomain(_ domain: Substring) -> String? {
        var labels: [String] = []
        for label in domain.precomposedStringWithCanonicalMapping.lowercased().split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
            } else {
                // Letters and marks only beyond ASCII: no symbols, spaces or controls in a host name.
                guard label.unicodeScalars.allSatisfy(\.isASCIIOrLetter), let encoded = encode(String(label)) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        return labels.joined(separator: ".")
    }

    private static func adapt(_ delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> Character {
        Character(Unicode.Scalar(UInt8(value < 26 ? 97 + value : 22 + value)))
    }
}

private extension Unicode.Scalar {
    /// What an internationalised label or local part may hold beyond ASCII: letters and their marks.
    var isASCIIOrLetter: Bool {
        let category = properties.generalCategory
        return isASCII || properties.isAlphabetic || category == .nonspacingMark || category == .spacingMark || category == .enclosingMark
    }
}

extension EmailAddress {
    /// The address as mail servers take it: the same when it is plain ASCII, the domain as A-labels
    /// when it is internationalised ("ines@garcía21.example" → "ines@xn--garca21-bza.example"), nil
    /// when it is not an address either way. Local parts stay ASCII (RFC 6531's UTF-8 local parts
    /// need every server on the way to support SMTPUTF8).
    public static func mailForm(_ address: String) -> String? {
        if isValid(address) { return address }
        guard let at = address.lastIndex(of: "@") else { return nil }
        let local = address[..<at], domain = address[address.index(after: at)...]
        guard !domain.isEmpty, let ascii = Punycode.asciiDomain(domain) else { return nil }
        let candidate = local + "@" + ascii
        return isValid(candidate) ? candidate : nil
    }

    /// An address whose local part has letters beyond ASCII ("garcía.21@mail.example", RFC 6531):
    /// a real address, kept on a card. Mail to it needs SMTPUTF8 at every server on the way, which
    /// Guild's outbox does not promise, so its `mailForm` is nil and Guild says so instead of sending.
    public static func isInternational(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        guard local.unicodeScalars.contains(where: { !$0.isASCII }),
              local.unicodeScalars.allSatisfy(\.isASCIIOrLetter)
        else { return false }
        // Beyond its letters, the dot-atom rules of an ASCII local part.
        let stand = String(String.UnicodeScalarView(local.unicodeScalars.map { $0.isASCII ? $0 : "a" }))
        return local.utf8.count <= 64 && mailForm(stand + address[at...]) != nil
    }
}
