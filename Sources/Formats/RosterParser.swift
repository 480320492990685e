import CSV
import Foundation
import Validation

/// One member from a roster CSV, validated, with the line it started on.
public struct RosterRow: Sendable, Equatable {
    public var line: Int
    public var name: String
    public var email: String
    public var business: String
    public var niches: [String]
    public var headline: String
    public var bio: String
    public var website: String
    public var city: String
}

/// A row that cannot be imported, and why, in words an organizer can fix.
public struct RosterProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// A file that cannot be read at all.
public struct RosterFileError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
    public init(reason: String) { self.reason = reason }
}

/// Reads `name,email,business,niches,headline,bio,website,city` rosters: RFC 4180 quoting (commas,
/// quotes and newlines inside fields), UTF-8 with or without BOM, columns in any order.
public enum RosterParser {
    public static let columns = ["name", "email", "business", "niches", "headline", "bio", "website", "city"]
    public static let requiredColumns: Set<String> = ["name", "email", "niches"]
    public static let maxFileSize = 10 * 1024 * 1024

    public static func parse(_ data: Data) throws(RosterFileError) -> (rows: [RosterRow], problems: [RosterProblem]) {
        guard data.count <= maxFileSize else {
            throw RosterFileError(reason: "The file is \(data.count / 1_048_576) MB; rosters can be at most \(maxFileSize / 1_048_576) MB. Split it into smaller files.")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw RosterFileError(reason: "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw RosterFileError(reason: "The file could not be read as CSV: \(error)")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingWhitespace().lowercased() }
        guard !header.isEmpty, header != [""] else { throw RosterFileError(reason: "The file is empty.") }
        if let unknown = header.first(where: { !columns.contains($0) }) {
            throw RosterFileError(reason: "Unknown column “\(unknown)” in the header. The columns are: \(columns.joined(separator: ","))")
        }
        let missing = requiredColumns.subtracting(header).sorted()
        guard missing.isEmpty else {
            throw RosterFileError(reason: "Missing column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) in the header. The columns are: \(columns.joined(separator: ","))")
        }
        var rows: [RosterRow] = [], problems: [RosterProblem] = [], emails: [String: Int] = [:]
        var line = 2
        while let fields = reader.next() {
            let rowLine = line
            line += 1 + fields.reduce(0) { $0 + $1.filter { $0 == "\n" || $0 == "\r\n" }.count }
            if fields.allSatisfy({ $0.trimmingWhitespace().isEmpty }) { continue }
            guard fields.count == header.count else {
                problems.append(.init(line: rowLine, reason: "has \(fields.count) fields, the header has \(header.count)"))
                continue
            }
            var value: [String: String] = [:]
            for (column, field) in zip(header, fields) { value[column] = field.trimmingWhitespace() }
            switch validate(value, line: rowLine) {
            case .success(let row):
                if let first = emails[row.email] {
                    problems.append(.init(line: rowLine, reason: "email \(row.email) is already on line \(first)"))
                } else {
                    emails[row.email] = rowLine
                    rows.append(row)
                }
            case .failure(let problem):
                problems.append(problem)
            }
        }
        if let error = reader.error {
            problems.append(.init(line: line, reason: "the file ends inside a quoted field (\(error))"))
        }
        return (rows, problems)
    }

    static func validate(_ value: [String: String], line: Int) -> Result<RosterRow, RosterProblem> {
        func problem(_ reason: String) -> Result<RosterRow, RosterProblem> { .failure(.init(line: line, reason: reason)) }
        let name: String, email: String
        switch AccountRules.name(value["name"] ?? "") {
        case .success(let valid): name = valid
        case .failure(let error): return problem("name: \(error.message)")
        }
        switch AccountRules.email(value["email"] ?? "") {
        case .success(let valid): email = valid
        case .failure(let error): return problem("email “\(value["email"] ?? "")”: \(error.message)")
        }
        let niches = (value["niches"] ?? "").split(separator: ";").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        if niches.isEmpty { return problem("niches: list at least one niche, separated by ;") }
        // The same rules the form and the API apply, so a row that passes here always imports.
        let fields = ProfileFields(
            business: value["business"] ?? "", headline: value["headline"] ?? "", bio: value["bio"] ?? "",
            website: value["website"] ?? "", city: value["city"] ?? "", niches: niches)
        let valid: ProfileFields
        switch ProfileRules.validate(fields) {
        case .success(let fields): valid = fields
        case .failure(let error): return problem("\(error.field): \(error.message)")
        }
        return .success(RosterRow(
            line: line, name: name, email: email, business: valid.business, niches: valid.niches,
            headline: valid.headline, bio: valid.bio, website: valid.website, city: valid.city))
    }
}
