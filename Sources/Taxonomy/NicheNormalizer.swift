import Foundation

/// Turns what people type for a niche into one comparable key, so that "WordPress Sites",
/// "wordpress site" and "Word-Press  sites" meet: case, accents, punctuation, spacing,
/// plurals and common spelling variants are folded away.
public enum NicheNormalizer {
    /// Words whose spelling varies; the key is the folded form.
    static let variants: [String: String] = [
        "colour": "color", "organisation": "organization", "optimisation": "optimization",
        "optimise": "optimize", "catalogue": "catalog", "centre": "center", "theatre": "theater",
        "programme": "program", "licence": "license", "favour": "favor", "behaviour": "behavior",
        "analyse": "analyze", "specialise": "specialize", "customise": "customize",
        "photo": "photography", "photographer": "photography", "photographs": "photography",
        "bookkeeper": "bookkeeping", "copywriter": "copywriting", "ghostwriter": "ghostwriting",
        "illustrator": "illustration", "videographer": "videography", "site": "website",
        "websites": "website", "app": "application", "apps": "application", "dev": "development",
        "developer": "development", "designer": "design", "ux/ui": "ux ui", "seo's": "seo",
    ]

    /// Compounds written as one word, two words or hyphenated.
    static let compounds: [String: String] = [
        "e commerce": "ecommerce", "web site": "website", "word press": "wordpress",
        "book keeping": "bookkeeping", "copy writing": "copywriting", "ghost writing": "ghostwriting",
        "head shot": "headshot", "life style": "lifestyle", "on line": "online", "no code": "nocode",
        "low code": "lowcode", "drop shipping": "dropshipping", "pod cast": "podcast",
    ]

    /// Words that end in s in the singular.
    static let keepS: Set<String> = [
        "analytics", "business", "class", "access", "press", "glass", "dress", "news", "ads", "aws", "gis",
        "its", "dns", "sms", "ios", "bus", "status", "canvas", "campus", "yes", "less", "physics", "ethics",
        "logistics", "economics", "graphics", "wellness", "fitness", "mindfulness", "process", "success",
        "series", "species", "pos", "saas", "cms", "crm", "hr", "diagnostics", "electronics", "athletics",
        "kids", "windows", "sales", "goods", "events", "supplies", "services", "chess", "mattress",
    ]

    public static func key(_ raw: String) -> String {
        var text = raw.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
            .replacingOccurrences(of: "&", with: " and ")
            .replacingOccurrences(of: "+", with: " plus ")
        text = String(text.unicodeScalars.map { scalar -> Character in
            CharacterSet.alphanumerics.contains(scalar) || scalar == "/" ? Character(scalar) : " "
        })
        var words = text.split(separator: " ").map(String.init)
        words = words.map { variants[$0] ?? singular($0) }.map { variants[$0] ?? $0 }
        var joined = words.joined(separator: " ")
        for (split, compound) in compounds where joined.contains(split) {
            joined = joined.replacingOccurrences(of: split, with: compound)
        }
        return joined
    }

    /// A plain English singular, good enough for niche names: "agencies" → "agency", "boxes" → "box".
    public static func singular(_ word: String) -> String {
        guard word.count > 3, word.hasSuffix("s"), !keepS.contains(word) else { return word }
        if word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("sses") || word.hasSuffix("shes") || word.hasSuffix("ches") || word.hasSuffix("xes") {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") { return word }
        return String(word.dropLast())
    }
}
