/// A practical email check: `local@domain.tld`, the local part in RFC 5322 dot-atom form,
/// the domain made of letter/digit/hyphen labels. Quoted local parts and IP literals are refused.
public enum EmailAddress {
    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    public static func isValid(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return isValidLocalPart(parts[0]) && isValidDomain(parts[1])
    }

    static func isValidLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= 64, local.first != ".", local.last != ".",
            !local.contains("..")
        else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            scalar.isASCIIAlphanumeric || scalar == "." || atextSymbols.contains(scalar)
        }
    }

    static func isValidDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-",
                label.unicodeScalars.allSatisfy({ $0.isASCIIAlphanumeric || $0 == "-" })
            else { return false }
        }
        // A top-level domain is never all digits (that would be an IP address).
        return labels.last!.unicodeScalars.contains { !("0"..."9").contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
