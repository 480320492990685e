/// What a member keeps doing, in one of three shapes.
public enum Kind: String, Sendable, CaseIterable, Codable {
    /// At least `target` minutes a day (an hour of writing: 60).
    case minutesPerDay = "minutes_per_day"
    /// On at least `target` days of each Monday-to-Sunday week.
    case timesPerWeek = "times_per_week"
    /// Done or not, every day.
    case done

    public var label: String {
        switch self {
        case .minutesPerDay: "Minutes a day"
        case .timesPerWeek: "Times a week"
        case .done: "Done or not, every day"
        }
    }

    /// Targets a member may set: up to 24 hours a day, 1–7 days a week; a yes/no discipline's target is 1.
    public var targets: ClosedRange<Int> {
        switch self {
        case .minutesPerDay: 1...1440
        case .timesPerWeek: 1...7
        case .done: 1...1
        }
    }

    /// Expected repetitions a day, the `f` of the strength formula: 1 for the daily kinds, n/7 for n a week.
    public func frequency(target: Int) -> Double { self == .timesPerWeek ? Double(target) / 7 : 1 }
}

/// Days taken out of a discipline (vacation, illness, cover): they neither break a streak nor lower
/// strength. Inclusive on both ends.
public struct Pause: Sendable, Hashable {
    public var from: Day
    public var through: Day
    public init(from: Day, through: Day) { self.from = from; self.through = through }
}

/// One discipline's history as the rules need it: a value per logged day (minutes, or 1 for done),
/// the pauses, and the day it started counting.
public struct History: Sendable {
    public var kind: Kind
    public var target: Int
    public var start: Day
    public var values: [Day: Int]
    public var pauses: [Pause]

    public init(kind: Kind, target: Int, start: Day, values: [Day: Int], pauses: [Pause] = []) {
        self.kind = kind
        self.target = max(1, target)
        // A backfilled day before the discipline was made counts: history starts at its first day.
        self.start = min(start, values.keys.min() ?? start)
        self.values = values
        self.pauses = pauses
    }

    /// A day's own goal reached: the minutes, or simply done (times a week: done that day).
    public func met(_ day: Day) -> Bool {
        guard let value = values[day] else { return false }
        return kind == .minutesPerDay ? value >= target : value > 0
    }

    /// Paused days between `start` and `end`, as a set for lookups (pauses overlap freely).
    public func pausedDays(from first: Day, through last: Day) -> Set<Day> {
        var days = Set<Day>()
        for pause in pauses where pause.through >= first && pause.from <= last {
            for day in max(pause.from, first)...min(pause.through, last) { days.insert(day) }
        }
        return days
    }
}
