import Fluent
import Formats
import Foundation
import Habits
import SQLKit

/// Disciplines to and from Loop Habit Tracker's CSV export (the format is in `Formats.LoopCSV`).
/// Minutes a day ↔ a NUMERICAL habit in minutes at least the target; n times a week ↔ YES_NO n/7;
/// done every day ↔ YES_NO 1/1. Other Loop frequencies come in as the nearest times a week.
enum LoopTransfer {
    struct Summary: Sendable, Equatable { var created = 0; var merged = 0; var days = 0; var skipped = 0 }

    /// How far back an import reaches: Loop keeps years, and so do we.
    static let importYears = 10

    /// The zip Loop itself writes: Habits.csv, Checkmarks.csv, Scores.csv and a folder per habit.
    static func export(_ member: UUID, now: Date = Date(), on db: any Database) async throws -> Data {
        let zone = try await Disciplines.zone(of: member, on: db)
        let today = Day(now, in: zone)
        let rows = try await Disciplines.list(of: member, on: db)
        let pauses = try await DisciplinePauses.all(of: member, zone: zone, today: today, on: db)
        struct DayRow: Decodable { var discipline_id: UUID; var day: String; var value: Int; var note: String }
        let all = try await db.sql.raw("""
            SELECT x.discipline_id, x.day, x.value, x.note FROM discipline_days x JOIN disciplines d ON d.id = x.discipline_id
            WHERE d.member_id = \(bind: member) ORDER BY x.day
            """).all(decoding: DayRow.self)
        let byDiscipline = Dictionary(grouping: all, by: \.discipline_id)
        var zip = ZipWriter(modified: now)
        var habits: [LoopCSV.Habit] = [], wide: [[LoopCSV.Mark]] = []
        var oldest = today
        for (i, row) in rows.enumerated() {
            let kind = row.habitKind
            habits.append(LoopCSV.Habit(
                name: row.name, description: [row.niche_name, row.tag.isEmpty ? nil : row.tag].compactMap { $0 }.joined(separator: " · "),
                numerical: kind == .minutesPerDay, numerator: kind == .timesPerWeek ? row.target : 1, denominator: kind == .timesPerWeek ? 7 : 1,
                unit: kind == .minutesPerDay ? "minutes" : "", targetValue: kind == .minutesPerDay ? Double(row.target) : 0))
            let days = byDiscipline[row.id] ?? []
            let marks = days.map { LoopCSV.Mark(date: $0.day, value: kind == .minutesPerDay ? Double($0.value) : ($0.value > 0 ? 2 : 0), notes: $0.note) }
            wide.append(marks)
            let values = Dictionary(days.filter { $0.value > 0 }.compactMap { d in Day(iso: d.day).map { ($0, d.value) } }, uniquingKeysWith: { a, _ in a })
            let history = Disciplines.history(row, values: values, pauses: pauses)
            oldest = min(oldest, history.start)
            let folder = LoopCSV.folder(i, row.name)
            zip.add(folder + "/Checkmarks.csv", Data(LoopCSV.writeHabitCheckmarks(marks).utf8))
            zip.add(folder + "/Scores.csv", Data(LoopCSV.writeScores(Strength.series(history, today: today).map { ($0.day.iso, $0.strength) }).utf8))
        }
        zip.add("Habits.csv", Data(LoopCSV.writeHabits(habits).utf8))
        let days = rows.isEmpty ? [] : (oldest...today).map(\.iso)
        zip.add("Checkmarks.csv", Data(LoopCSV.writeCheckmarks(rows.map(\.name), marks: wide, days: days).utf8))
        return zip.finished()
    }

    /// Reads Loop's `Habits.csv` and wide `Checkmarks.csv`: habits named like one of the member's
    /// disciplines add their days to it (a day already logged here is overwritten), others become new
    /// disciplines, up to the limit. All or nothing: one transaction.
    static func importFiles(_ member: UUID, habitsCSV: String, checkmarksCSV: String, now: Date = Date(),
                            on db: any Database) async throws -> Summary {
        let habits: [LoopCSV.Habit], marks: [String: [LoopCSV.Mark]]
        do {
            habits = try LoopCSV.readHabits(habitsCSV)
            marks = try LoopCSV.readCheckmarks(checkmarksCSV)
        } catch let error as ContactFileError {
            throw DisciplinesError.invalid(field: "file", error.reason)
        }
        guard !habits.isEmpty else { throw DisciplinesError.invalid(field: "file", "Habits.csv lists no habits.") }
        let today = try await Disciplines.today(of: member, now: now, on: db)
        let earliest = today.advanced(by: -366 * importYears)
        return try await db.writeTransaction(reportingGeneration: false) { db in
            var summary = Summary()
            var existing = Dictionary(try await Disciplines.list(of: member, on: db).map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
            for habit in habits where !habit.archived || marks[habit.name] != nil {
                let name = String(habit.name.prefix(DisciplineInput.nameMax))
                let kind: Kind, target: Int
                if habit.numerical {
                    kind = .minutesPerDay
                    target = min(max(Int(habit.targetValue.rounded()), 1), 1440)
                } else if habit.numerator == habit.denominator {
                    kind = .done; target = 1
                } else {
                    kind = .timesPerWeek
                    target = min(max(Int((Double(habit.numerator) * 7 / Double(habit.denominator)).rounded()), 1), 7)
                }
                let id: UUID
                if let row = existing[name.lowercased()] {
                    id = row.id
                    summary.merged += 1
                } else {
                    let valid = try await DisciplineInput(name: name, kind: kind.rawValue, target: target).validated(member: member, on: db)
                    id = try await Disciplines.insert(valid, member: member, today: today, now: now, on: db)
                    guard let row = try await Disciplines.find(id, on: db) else { continue }
                    existing[name.lowercased()] = row
                    summary.created += 1
                }
                let storedKind = existing[name.lowercased()]?.habitKind ?? kind
                var rows: [(discipline: UUID, day: Day, value: Int, note: String)] = []
                for mark in marks[habit.name] ?? [] {
                    guard let day = Day(iso: mark.date), day <= today, day >= earliest else { summary.skipped += 1; continue }
                    let value = storedKind == .minutesPerDay
                        ? min(max(Int((habit.numerical ? mark.value : (mark.value >= 2 ? Double(target) : 0)).rounded()), 0), 1440)
                        : (habit.numerical ? (mark.value > 0 ? 1 : 0) : (mark.value >= 2 ? 1 : 0))
                    guard value > 0 else { continue }
                    rows.append((id, day, value, ""))
                }
                try await Disciplines.insertDays(rows, now: now, on: db)
                summary.days += rows.count
            }
            return summary
        }
    }
}
