import Foundation
import Validation

/// One person as an address book holds them: what a vCard or a contacts CSV row carries and Guild keeps.
public struct ContactCard: Sendable, Equatable {
    /// An email address or phone number with its kinds ("work", "cell"), lower-case: the same value
    /// the contact rules check.
    public typealias Typed = ContactFields.Handle

    public var name: String
    public var business: String
    public var emails: [Typed]
    public var phones: [Typed]
    public var website: String
    public var notes: String
    public var tags: [String]
    /// Where the card starts in its file (1-based line), for messages about it.
    public var line: Int
    /// A stable identifier written as the vCard UID, so a phone that re-imports an export updates cards.
    public var uid: String = ""
    /// vCard N, kept while a card is read in case it has no FN.
    var structuredName: String?

    public init(name: String = "", business: String = "", emails: [Typed] = [], phones: [Typed] = [], website: String = "",
                notes: String = "", tags: [String] = [], line: Int = 0, uid: String = "") {
        self.name = name
        self.business = business
        self.emails = emails
        self.phones = phones
        self.website = website
        self.notes = notes
        self.tags = tags
        self.line = line
        self.uid = uid
    }

    /// The name to file the card under: the person's, else the business's, else the first address.
    public var displayName: String {
        if !name.isEmpty { return name }
        if !business.isEmpty { return business }
        return emails.first?.value ?? phones.first?.value ?? ""
    }
}

/// A card or row that cannot be imported, with where it is, in words a member can act on.
public struct ContactProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based position of the card (vCard) or data row (CSV) in the file.
    public var position: Int
    public var line: Int
    public var reason: String
    public var description: String { "card \(position) (line \(line)): \(reason)" }
    public init(position: Int, line: Int, reason: String) {
        self.position = position
        self.line = line
        self.reason = reason
    }
}

/// A file that cannot be read at all.
public struct ContactFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
    public init(_ reason: String) { self.reason = reason }
}

public enum ContactFiles {
    public static let maxFileSize = 10 * 1_048_576

    /// UTF-8 (with or without BOM), else Windows-1252: what old phones and Outlook write.
    static func text(_ data: Data) throws(ContactFileError) -> String {
        guard data.count <= maxFileSize else {
            throw ContactFileError("The file is \(String(format: "%.1f", Double(data.count) / 1_048_576)) MB; contact files can be at most 10 MB. Split it into smaller files.")
        }
        var text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1252) ?? String(data: data, encoding: .isoLatin1) ?? String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}
