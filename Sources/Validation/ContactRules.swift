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
    /// valid addresses and numbers without repeats, a web address Guild can link to.
    public static func validate(_ raw: ContactFields) -> Result<ContactFields, FieldProblem> {
        var fields = raw
        fields.name = raw.name.trimmingWhitespace()
        fields.business = raw.business.trimmingWhitespace()
        fields.met = raw.met.trimmingWhitespace()
        fields.notes = raw.notes.trimmingWhitespace()
        for (field, label, value, limit) in [("name", "Name", fields.name, maxName), ("business", "Business", fields.business, maxName)] {
            if value.unicodeScalars.count > limit { return .failure(.init(field: field, message: "\(label) can be at most \(limit) characters.")) }
            if let problem = TextRules.lineProblem(value, what: label) { return .failure(.init(field: field, message: problem)) }
        }
        if fields.met.unicodeScalars.count > maxMet { return .failure(.init(field: "met", message: "Where you met can be at most \(maxMet) characters.")) }
        if let problem = TextRules.textProblem(fields.met, what: "Where you met") { return .failure(.init(field: "met", message: problem)) }
        if fields.notes.unicodeScalars.count > maxNotes { return .failure(.init(field: "notes", message: "Notes can be at most \(maxNotes) characters.")) }
        if let problem = TextRules.textProblem(fields.notes, what: "Notes") { return .failure(.init(field: "notes", message: problem)) }

        fields.emails = []
        for handle in raw.emails {
            let address = handle.value.trimmingWhitespace()
            guard !address.isEmpty else { continue }
            guard address.unicodeScalars.count <= 254, EmailAddress.isValid(address) else {
                return .failure(.init(field: "emails", message: "“\(address.prefix(80))” is not an email address."))
            }
            if !fields.emails.contains(where: { $0.value.lowercased() == address.lowercased() }) {
                fields.emails.append(.init(address, types: cleanTypes(handle.types)))
            }
        }
        fields.phones = []
        for handle in raw.phones {
            let number = handle.value.trimmingWhitespace()
            guard !number.isEmpty else { continue }
            guard let normalized = phoneKey(number) else {
                return .failure(.init(field: "phones", message: "“\(number.prefix(40))” is not a phone number: use digits, spaces, + - ( ) . and an optional extension."))
            }
            if !fields.phones.contains(where: { phoneKey($0.value) == normalized }) {
                fields.phones.append(.init(number, types: cleanTypes(handle.types)))
            }
        }
        if fields.emails.count > maxHandles || fields.phones.count > maxHandles {
            return .failure(.init(field: fields.emails.count > maxHandles ? "emails" : "phones", message: "A contact can have at most \(maxHandles) email addresses and \(maxHandles) phone numbers."))
        }
        let website = raw.website.trimmingWhitespace()
        if website.isEmpty {
            fields.website = ""
        } else if let url = ProfileRules.website(website) {
            fields.website = url
        } else {
            return .failure(.init(field: "website", message: "“\(website.prefix(80))” is not a web address (like example.com)."))
        }
        var tags: [String] = []
        for tag in raw.tags {
            let tag = tag.trimmingWhitespace()
            guard !tag.isEmpty else { continue }
            guard tag.unicodeScalars.count <= maxTag, TextRules.lineProblem(tag, what: "A tag") == nil, !tag.contains(",") else {
                return .failure(.init(field: "tags", message: "Tags are at most \(maxTag) characters each, with no commas: “\(tag.prefix(50))”."))
            }
            if !tags.contains(where: { $0.lowercased() == tag.lowercased() }) { tags.append(tag) }
        }
        guard tags.count <= maxTags else { return .failure(.init(field: "tags", message: "A contact can have at most \(maxTags) tags.")) }
        fields.tags = tags
        if fields.name.isEmpty {
            guard let fallback = [fields.business, fields.emails.first?.value, fields.phones.first?.value].compactMap({ $0 }).first(where: { !$0.isEmpty })
            else { return .failure(.init(field: "name", message: "Give the contact a name (or at least a business, an email or a phone).")) }
            fields.name = fallback
        }
        return .success(fields)
    }

    /// A phone number's digits (with a leading + kept) for finding the same number written another
    /// way; nil when the text is not a phone number. An extension ("x12", "ext. 12") is left out.
    public static func phoneKey(_ raw: String) -> String? {
        let lowered = raw.lowercased()
        // The number before an extension ("x12", "ext. 12").
        let main = lowered.prefix { $0 != "x" && $0 != "e" }
        guard raw.unicodeScalars.count <= 40,
            lowered.allSatisfy({ $0.isASCII && ($0.isNumber || " +-().xet/".contains($0)) }) else { return nil }
        let digits = main.filter { $0.isNumber }
        guard (3...20).contains(digits.count) else { return nil }
        return (String(main).trimmingWhitespace().hasPrefix("+") ? "+" : "") + digits
    }

    static func cleanTypes(_ types: [String]) -> [String] {
        var kept: [String] = []
        for type in types.map({ $0.lowercased() }) where handleTypes.contains(type) && !kept.contains(type) {
            kept.append(type == "mobile" ? "cell" : type)
        }
        return kept
    }
}
