import CSV
import Foundation

/// Contacts from a spreadsheet or another address book's CSV export (RFC 4180), through a column
/// mapping the member confirms: Google Contacts' and Outlook's header names are recognised, and
/// anything else can be pointed at a field by hand.
public enum ContactCSV {
    /// What a column can be read as.
    public enum Field: String, Sendable, CaseIterable {
        case ignore, name, firstName = "first_name", lastName = "last_name", business, email, phone, website, notes, tags

        public var label: String {
            switch self {
            case .ignore: "Leave out"
            case .name: "Full name"
            case .firstName: "First name"
            case .lastName: "Last name"
            case .business: "Business"
            case .email: "Email"
            case .phone: "Phone"
            case .website: "Website"
            case .notes: "Notes"
            case .tags: "Tags"
            }
        }
    }

    public struct Table: Sendable {
        public var header: [String]
        public var rows: [[String]]
        /// The 1-based line each row starts on.
        public var lines: [Int]
    }

    public static func table(_ data: Data) throws(ContactFileError) -> Table {
        let text = try ContactFiles.text(data)
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ContactFileError("The file could not be read as CSV: \(error)")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !header.isEmpty, header != [""] else { throw ContactFileError("The file is empty.") }
        var table = Table(header: header, rows: [], lines: [])
        // The reader does not count lines; a row's line is 1 (header) plus the line breaks before it.
        var line = 2 + header.joined().filter(\.isNewline).count
        while let row = reader.next() {
            table.rows.append(row)
            table.lines.append(line)
            line += 1 + row.joined().filter(\.isNewline).count
        }
        if let error = reader.error { throw ContactFileError("The file stops being valid CSV near line \(line): \(error)") }
        return table
    }

    /// The field each header most likely means, or `.ignore`.
    public static func guessMapping(_ header: [String]) -> [Field] {
        header.map { name in
            let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
            if let exact = known[key] { return exact }
            // Google: "E-mail 2 - Value", "Phone 1 - Value", "Organization 1 - Name", "Website 1 - Value".
            if key.hasSuffix("type") || key.hasSuffix("label") { return .ignore }
            if key.hasPrefix("email") || key.hasPrefix("emailaddress") || key.contains("email") && key.contains("address") { return .email }
            if key.hasPrefix("phone") || key.hasSuffix("phone") || key.hasPrefix("mobile") { return key.contains("fax") ? .ignore : .phone }
            if key.hasPrefix("organization") && key.hasSuffix("name") { return .business }
            if key.hasPrefix("website") { return .website }
            return .ignore
        }
    }

    static let known: [String: Field] = [
        "name": .name, "fullname": .name, "displayname": .name, "contact": .name, "contactname": .name,
        "firstname": .firstName, "givenname": .firstName, "first": .firstName,
        "lastname": .lastName, "familyname": .lastName, "surname": .lastName, "last": .lastName,
        "company": .business, "business": .business, "organization": .business, "organisation": .business,
        "organizationname": .business, "companyname": .business, "org": .business,
        "email": .email, "emailaddress": .email, "email2address": .email, "email3address": .email, "mail": .email,
        "phone": .phone, "mobile": .phone, "mobilephone": .phone, "businessphone": .phone, "homephone": .phone,
        "telephone": .phone, "tel": .phone, "cell": .phone, "primaryphone": .phone, "otherphone": .phone,
        "website": .website, "webpage": .website, "web": .website, "url": .website, "homepage": .website,
        "notes": .notes, "note": .notes, "comments": .notes,
        "tags": .tags, "categories": .tags, "labels": .tags, "groupmembership": .tags, "groups": .tags,
    ]

    /// The rows as cards under a mapping (one field per column); a row with no name, email or phone is reported.
    public static func cards(_ table: Table, mapping: [Field]) -> (cards: [ContactCard], problems: [ContactProblem]) {
        var cards: [ContactCard] = []
        var problems: [ContactProblem] = []
        for (index, row) in table.rows.enumerated() {
            var card = ContactCard(line: table.lines[index])
            var first = "", last = ""
            for (column, value) in row.enumerated() where column < mapping.count {
                let value = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty else { continue }
                switch mapping[column] {
                case .ignore: break
                case .name: card.name = value
                case .firstName: first = value
                case .lastName: last = value
                case .business: if card.business.isEmpty { card.business = value }
                case .email:
                    // Google puts several addresses in one cell separated by " ::: ".
                    for email in value.components(separatedBy: ":::") where !email.trimmingCharacters(in: .whitespaces).isEmpty {
                        card.emails.append(.init(email.trimmingCharacters(in: .whitespaces)))
                    }
                case .phone:
                    for phone in value.components(separatedBy: ":::") where !phone.trimmingCharacters(in: .whitespaces).isEmpty {
                        card.phones.append(.init(phone.trimmingCharacters(in: .whitespaces)))
                    }
                case .website: if card.website.isEmpty { card.website = value }
                case .notes: card.notes = card.notes.isEmpty ? value : card.notes + "\n\n" + value
                case .tags:
                    // Outlook separates categories with ";" or ","; Google's labels with " ::: " and "* myContacts" is its own.
                    for tag in value.components(separatedBy: CharacterSet(charactersIn: ";,")).flatMap({ $0.components(separatedBy: ":::") }) {
                        let tag = tag.trimmingCharacters(in: .whitespaces)
                        if !tag.isEmpty, !tag.hasPrefix("*"), !card.tags.contains(tag) { card.tags.append(tag) }
                    }
                }
            }
            if card.name.isEmpty { card.name = [first, last].filter { !$0.isEmpty }.joined(separator: " ") }
            if card.displayName.isEmpty {
                problems.append(.init(position: index + 1, line: table.lines[index], reason: "the row has no name, email address or phone number"))
            } else {
                cards.append(card)
            }
        }
        return (cards, problems)
    }
}
