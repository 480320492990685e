import Foundation

/// URL-safe identifiers made from names: "Café Ortega & Co." → "cafe-ortega-co".
public enum Slug {
    public static func make(_ text: String, maxLength: Int = 60) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                slug.unicodeScalars.append(scalar)
                pendingDash = false
            } else {
                pendingDash = true
            }
            if slug.count >= maxLength { break }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug
    }
}
