import CSV
import Foundation

/// Loop Habit Tracker's CSV export, both ways. Loop writes a zip of `Habits.csv` (one row per habit:
/// `Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,
/// Target Type,Target Value,Archived?`; versions before 2.0 wrote `NumRepetitions,Interval` and no
/// type), a wide `Checkmarks.csv` (`Date,<habit>,<habit>,…`, newest day first, values 2 for done by
/// hand, 1 done automatically, 0 not done, −1 unknown, 3 or −3 skipped; for measurable habits, the
/// amount) and a folder per habit (`001 Name/Checkmarks.csv` with `Date,Value,Notes`, and `Scores.csv`).
/// This reads the two top files and writes the whole set; dates are `YYYY-MM-DD`.
public enum LoopCSV {
    public struct Habit: Sendable, Equatable {
        public var name: String
        public var description: String
        /// Loop's NUMERICAL: an amount a day at least `targetValue` (Guild: minutes a day).
        public var numerical: Bool
        public var numerator: Int
        public var denominator: Int
        public var unit: String
        public var targetValue: Double
        public var archived: Bool

        public init(name: String, description: String = "", numerical: Bool, numerator: Int, denominator: Int,
                    unit: String = "", targetValue: Double = 0, archived: Bool = false) {
            self.name = name; self.description = description; self.numerical = numerical
            self.numerator = numerator; self.denominator = denominator; self.unit = unit
            self.targetValue = targetValue; self.archived = archived
        }
    }

    /// One cell of a checkmarks file: a day and its value (nil when Loop says unknown or skipped).
    public struct Mark: Sendable, Equatable {
        public var date: String
        public var value: Double
        public var notes: String
        public init(date: String, value: Double, notes: String = "") { self.date = date; self.value = value; self.notes = notes }
    }

    public static let habitsHeader = ["Position", "Name", "Type", "Question", "Description", "FrequencyNumerator",
                                      "FrequencyDenominator", "Color", "Unit", "Target Type", "Target Value", "Archived?"]

    // MARK: Reading

    public static func readHabits(_ text: String) throws -> [Habit] {
        let table = try rows(text, file: "Habits.csv")
        func column(_ names: String...) -> Int? {
            names.lazy.compactMap { name in table.header.firstIndex { $0.caseInsensitiveCompare(name) == .orderedSame } }.first
        }
        guard let name = column("Name") else { throw ContactFileError("Habits.csv has no Name column: is it Loop Habit Tracker's Habits.csv?") }
        let type = column("Type"), description = column("Description"), unit = column("Unit"), target = column("Target Value")
        let numerator = column("FrequencyNumerator", "NumRepetitions"), denominator = column("FrequencyDenominator", "Interval")
        let archived = column("Archived?", "Archived")
        var habits: [Habit] = []
        for (i, row) in table.rows.enumerated() {
            func cell(_ index: Int?) -> String { index.flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil } ?? "" }
            let habitName = cell(name)
            guard !habitName.isEmpty else { throw ContactFileError("Habits.csv line \(i + 2): the habit has no name.") }
            let num = Int(cell(numerator)) ?? 1, den = Int(cell(denominator)) ?? 1
            guard num > 0, den > 0 else { throw ContactFileError("Habits.csv line \(i + 2) (\(habitName)): the frequency \(num)/\(den) is not a frequency.") }
            habits.append(Habit(
                name: habitName, description: cell(description), numerical: cell(type).uppercased() == "NUMERICAL",
                numerator: num, denominator: den, unit: cell(unit), targetValue: Double(cell(target)) ?? 0,
                archived: cell(archived).lowercased() == "true"))
        }
        return habits
    }

    /// The wide `Checkmarks.csv`: for each habit column (by name), its known days. Unknown (−1) and
    /// skipped (3, −3, SKIP) days and empty cells are left out; "YES_MANUAL"-style names are read too.
    public static func readCheckmarks(_ text: String) throws -> [String: [Mark]] {
        let table = try rows(text, file: "Checkmarks.csv")
        guard table.header.first?.caseInsensitiveCompare("Date") == .orderedSame else {
            throw ContactFileError("Checkmarks.csv must start with a Date column: is it Loop Habit Tracker's Checkmarks.csv?")
        }
        var marks: [String: [Mark]] = [:]
        for (i, row) in table.rows.enumerated() {
            guard let date = row.first?.trimmingCharacters(in: .whitespaces), !date.isEmpty else { continue }
            guard isDate(date) else { throw ContactFileError("Checkmarks.csv line \(i + 2): \"\(date.prefix(20))\" is not a date (YYYY-MM-DD).") }
            for (c, name) in table.header.enumerated().dropFirst() where c < row.count && !name.isEmpty {
                guard let value = value(row[c]) else { continue }
                marks[name, default: []].append(Mark(date: date, value: value))
            }
        }
        return marks
    }

    /// A cell's value, or nil for unknown, skipped or empty.
    public static func value(_ raw: String) -> Double? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch text.uppercased() {
        case "", "UNKNOWN", "SKIP", "-1", "3", "-3": return nil
        case "YES_MANUAL", "YES", "Y": return 2
        case "YES_AUTO": return 1
        case "NO", "N": return 0
        default: return Double(text).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        }
    }

    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 10 && bytes[4] == 45 && bytes[7] == 45
            && bytes.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) }
    }

    static func rows(_ text: String, file: String) throws -> (header: [String], rows: [[String]]) {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ContactFileError("\(file) could not be read as CSV: \(error)")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !header.isEmpty, header != [""] else { throw ContactFileError("\(file) is empty.") }
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        if let error = reader.error { throw ContactFileError("\(file) stops being valid CSV after row \(rows.count + 1): \(error)") }
        return (header, rows)
    }

    // MARK: Writing

    public static func writeHabits(_ habits: [Habit]) -> String {
        var out = CSVWriter.record(habitsHeader)
        for (i, habit) in habits.enumerated() {
            out += CSVWriter.record([
                position(i), habit.name, habit.numerical ? "NUMERICAL" : "YES_NO", "", habit.description,
                String(habit.numerator), String(habit.denominator), "#37474F", habit.numerical ? habit.unit : "",
                habit.numerical ? "AT_LEAST" : "", habit.numerical ? number(habit.targetValue) : "", habit.archived ? "true" : "false",
            ])
        }
        return out
    }

    /// One habit's `Checkmarks.csv` (`Date,Value,Notes`), newest first as Loop writes it.
    public static func writeHabitCheckmarks(_ marks: [Mark]) -> String {
        var out = CSVWriter.record(["Date", "Value", "Notes"])
        for mark in marks.sorted(by: { $0.date > $1.date }) {
            out += CSVWriter.record([mark.date, number(mark.value), mark.notes])
        }
        return out
    }

    /// The wide file: one row per day from the newest to the oldest, a column per habit.
    public static func writeCheckmarks(_ names: [String], marks: [[Mark]], days: [String]) -> String {
        var out = CSVWriter.record(["Date"] + names)
        let lookup = marks.map { Dictionary($0.map { ($0.date, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        for day in days.sorted(by: >) {
            out += CSVWriter.record([day] + lookup.map { $0[day].map(number) ?? "0" })
        }
        return out
    }

    /// `Scores.csv` for one habit: `Date,Score` with four decimals, newest first.
    public static func writeScores(_ scores: [(date: String, score: Double)]) -> String {
        var out = CSVWriter.record(["Date", "Score"])
        for (date, score) in scores.reversed() { out += CSVWriter.record([date, String(format: "%.4f", score)]) }
        return out
    }

    /// Loop's folder name for a habit: position and the name with only `[ a-zA-Z0-9._-]` kept.
    public static func folder(_ index: Int, _ name: String) -> String {
        let kept = String(name.unicodeScalars.filter { $0 == " " || $0 == "." || $0 == "_" || $0 == "-"
            || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }.prefix(100))
        return (position(index) + " " + kept).trimmingCharacters(in: .whitespaces)
    }

    static func position(_ index: Int) -> String { String(format: "%03d", index + 1) }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
