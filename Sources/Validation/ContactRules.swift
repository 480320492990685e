/// What a contact may hold, checked the same way for the quick-add form, the API and every imported card.
public struct ContactFields: Sendable, Equatable {
    /// An email address or phone number with its kinds ("work", "cell").
    public struct Handle: Sendable, Equatable {
        public var value: String
        public var types: [String]
        public init(_ value: String, types: [String] = []) {
            self.value = value
            self.types = types
        }
    }

    public var name: String
    public var business: String
    public var emails: [Handle]
    public var phones: [Handle]
    public var website: String
    public var met: String
    public var notes: String
    public var tags: [String]

    public init(name: String = "", business: String = "", emails: [Handle] = [], phones: [Handle] = [], website: String = "",
                met: String = "", notes: String = "", tags: [String] = []) {
        self.name = name
        self.business = business
        self.emails = emails
        self.phones = phones
        self.website = website
        self.met = met
        self.notes = notes
        self.tags = tags
    }
}

public enum ContactRules {
    public static let maxName = 200
    public static let maxHandles = 10
    public static let maxTags = 20
    public static let maxTag = 40
    public static let maxMet = 500
    public static let maxNotes = 20_000
    public static let handleTypes: Set<String> = ["work", "home", "cell", "mobile", "main", "other", "fax", "pager", "text"]

    /// The fields trimmed and checked: a name (or a business, an email or a phone to file it under),
    /// valid addresses and numbers without repeats, a web address Guild can link to. `strict` (the JSON
    /// API) checks each value exactly as sent, as its OpenAPI patterns do: an empty or padded address
    /// or tag is refused there, where a form just leaves it out.
    public static func validate(_ raw: ContactFields, strict: Bool = false) -> Result<ContactFields, FieldProblem> {
        var fields = raw
        // Control characters are refused before trimming, lengths counted as sent: as the API's patterns do.
        for (field, label, value, limit, multiline) in [
            ("name", "Name", raw.name, maxName, false), ("business", "Business", raw.business, maxName, false),
            ("met", "Where you met", raw.met, maxMet, true), ("notes", "Notes", raw.notes, maxNotes, true),
        ] {
            if value.unicodeScalars.count > limit { return .failure(.init(field: field, message: "\(label) can be at most \(limit) characters.")) }
            let breaks = multiline && value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
            let flat = breaks ? String(value.unicodeScalars.map { "\n\r\t".unicodeScalars.contains($0) ? " " : Character($0) }) : value
            if let problem = TextRules.lineProblem(flat.trimmingWhitespace(), what: label) ?? TextRules.lineProblem(flat, what: label),
                !(problem.hasSuffix("visible character.") && flat.trimmingWhitespace().isEmpty) {
                return .failure(.init(field: field, message: problem))
            }
        }
        fields.name = raw.name.trimmingWhitespace()
        fields.business = raw.business.trimmingWhitespace()
        fields.met = raw.met.trimmingWhitespace()
        fields.notes = raw.notes.trimmingWhitespace()

        fields.emails = []
        for handle in raw.emails {
            let address = strict ? handle.value : handle.value.trimmingWhitespace()
            if address.isEmpty, !strict { continue }
            // Internationalised domains too ("ines@garcía21.example"): address books have them.
            guard address.unicodeScalars.count <= 254, EmailAddress.mailForm(address) != nil || EmailAddress.isInternational(address) else {
                return .failure(.init(field: "emails", message: "“\(address.prefix(80))” is not an email address."))
            }
            if !fields.emails.contains(where: { $0.value.lowercased() == address.lowercased() }) {
                fields.emails.append(.init(address, types: cleanTypes(handle.types)))
            }
        }
        fields.phones = []
        for handle in raw.phones {
            let number = strict ? handle.value : handle.value.trimmingWhitespace()
            if number.isEmpty, !strict { continue }
            guard let normalized = phoneKey(number) else {
                return .failure(.init(field: "phones", message: "“\(number.prefix(40))” is not a phone number: use digits, spaces, + - ( ) . / and an optional extension (x12)."))
            }
            if !fields.phones.contains(where: { phoneKey($0.value) == normalized }) {
                fields.phones.append(.init(number.trimmingWhitespace(), types: cleanTypes(handle.types)))
            }
        }
        if raw.emails.count > maxHandles || raw.phones.count > maxHandles {
            return .failure(.init(field: raw.emails.count > maxHandles ? "emails" : "phones", message: "A contact can have at most \(maxHandles) email addresses and \(maxHandles) phone numbers."))
        }
        let website = strict ? raw.website : raw.website.trimmingWhitespace()
        if website.isEmpty {
            fields.website = ""
        } else if let url = ProfileRules.website(website) {
            fields.website = url
        } else {
            return .failure(.init(field: "website", message: "“\(website.prefix(80))” is not a web address (like example.com)."))
        }
        var tags: [String] = []
        guard raw.tags.count <= maxTags else { return .failure(.init(field: "tags", message: "A contact can have at most \(maxTags) tags.")) }
        for rawTag in raw.tags {
            let tag = rawTag.trimmingWhitespace()
            if tag.isEmpty, !strict { continue }
            guard !tag.isEmpty, rawTag.unicodeScalars.count <= maxTag, TextRules.lineProblem(rawTag, what: "A tag") == nil,
                TextRules.lineProblem(tag, what: "A tag") == nil, !tag.contains(",") else {
                return .failure(.init(field: "tags", message: "Tags are 1 to \(maxTag) characters each, with no commas: “\(rawTag.prefix(50))”."))
            }
            if !tags.contains(where: { $0.lowercased() == tag.lowercased() }) { tags.append(tag) }
        }
        fields.tags = tags
        if fields.name.isEmpty {
            guard !strict, let fallback = [fields.business, fields.emails.first?.value, fields.phones.first?.value].compactMap({ $0 }).first(where: { !$0.isEmpty })
            else { return .failure(.init(field: "name", message: "Give the contact a name (or at least a business, an email or a phone).")) }
            fields.name = fallback
        }
        return .success(fields)
    }

    /// The same rule as `Phone` in openapi.yaml: digits with spaces, + ( ) . - /, and an optional extension.
    nonisolated(unsafe) static let phonePattern = /^\s*\+?[0-9 ().\-\/]*[0-9][0-9 ().\-\/]*( ?(x|ext\.?) ?[0-9]{1,6})?\s*$/

    /// A phone number's digits (with a leading + kept) for finding the same number written another
    /// way; nil when the text is not a phone number. An extension ("x12", "ext. 12") is left out.
    public static func phoneKey(_ raw: String) -> String? {
        guard raw.unicodeScalars.count <= 40, isPhoneNumber(raw) else { return nil }
        let main = raw.prefix { $0 != "x" && $0 != "e" }
        return (String(main).trimmingWhitespace().hasPrefix("+") ? "+" : "") + main.filter { $0.isNumber }
    }

    /// Whether the text matches `phonePattern`, checked by hand: Swift's regex engine made this the
    /// slowest step of a 10,000-card import. Tests hold the two to the same answers.
    static func isPhoneNumber(_ raw: String) -> Bool {
        let scalars = Array(raw.unicodeScalars)
        var index = 0
        func peek(_ offset: Int = 0) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }
        func isDigit(_ scalar: Unicode.Scalar?) -> Bool { scalar.map { ("0"..."9").contains($0) } ?? false }
        while let scalar = peek(), scalar.properties.isWhitespace { index += 1 }
        if peek() == "+" { index += 1 }
        var digits = 0
        while let scalar = peek(), isDigit(scalar) || " ().-/".unicodeScalars.contains(scalar) {
            if isDigit(scalar) { digits += 1 }
            index += 1
        }
        guard digits > 0 else { return false }
        // An extension: `x12`, `ext 12`, `ext. 12` (the space before it was taken with the number).
        if peek() == "x" || (peek() == "e" && peek(1) == "x" && peek(2) == "t") {
            index += peek() == "x" ? 1 : 3
            if peek(-1) == "t", peek() == "." { index += 1 }
            if peek() == " " { index += 1 }
            var extensionDigits = 0
            while isDigit(peek()), extensionDigits < 6 { index += 1; extensionDigits += 1 }
            guard extensionDigits > 0 else { return false }
        }
        while let scalar = peek(), scalar.properties.isWhitespace { index += 1 }
        return index == scalars.count
    }

    static func cleanTypes(_ types: [String]) -> [String] {
        var kept: [String] = []
        for type in types.map({ $0.lowercased() }) where handleTypes.contains(type) && !kept.contains(type) {
            kept.append(type == "mobile" ? "cell" : type)
        }
        return kept
    }
}
