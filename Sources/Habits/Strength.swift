import Foundation

/// Strength: how established a discipline is, from 0 to 1, as Loop Habit Tracker scores a habit.
/// Every day is exponential smoothing of the day's value into yesterday's strength:
///
///     s(d) = s(d−1) · m + v(d) · (1 − m),   m = 0.5 ^ (√f / 13)
///
/// where `f` is the expected repetitions a day (1 for the daily kinds, n/7 for n times a week), so a
/// daily discipline's strength halves its distance to the day's value in 13 days, and one missed
/// day after a long run costs about 5 %, not everything. `v(d)` is the share of the day's goal met:
/// minutes ÷ target (at most 1); 1 or 0 for done; for n times a week, the days done in the 7
/// unpaused days ending at `d`, ÷ n (at most 1). Paused days are skipped: strength is carried over
/// unchanged and they are not in the seven. Today counts once it is logged; until then strength is
/// yesterday's, so an unfinished day never shows as a miss. Strength starts at 0 on the first day.
public enum Strength {
    public static func multiplier(frequency: Double) -> Double { pow(0.5, frequency.squareRoot() / 13) }

    public static func step(_ previous: Double, value: Double, multiplier: Double) -> Double {
        previous * multiplier + value * (1 - multiplier)
    }

    /// Strength at the end of each day from the history's start through `today` (or yesterday while
    /// today is unlogged); paused days repeat the day before's.
    public static func series(_ history: History, today: Day) -> [(day: Day, strength: Double)] {
        let last = history.values[today] != nil ? today : today.advanced(by: -1)
        guard history.start <= last else { return [] }
        let m = multiplier(frequency: history.kind.frequency(target: history.target))
        let paused = history.pausedDays(from: history.start, through: last)
        var strength = 0.0
        var window: [Bool] = []  // the last seven unpaused days, done or not (times a week only)
        var done = 0
        var out: [(day: Day, strength: Double)] = []
        out.reserveCapacity(history.start.distance(to: last) + 1)
        for day in history.start...last {
            if paused.contains(day) { out.append((day, strength)); continue }
            let value: Double
            switch history.kind {
            case .minutesPerDay:
                value = min(1, Double(history.values[day] ?? 0) / Double(history.target))
            case .done:
                value = history.met(day) ? 1 : 0
            case .timesPerWeek:
                let met = history.met(day)
                window.append(met)
                if met { done += 1 }
                if window.count > 7 { if window.removeFirst() { done -= 1 } }
                value = min(1, Double(done) / Double(history.target))
            }
            strength = step(strength, value: value, multiplier: m)
            out.append((day, strength))
        }
        return out
    }

    /// Today's strength (0 with no history yet).
    public static func current(_ history: History, today: Day) -> Double {
        series(history, today: today).last?.strength ?? 0
    }
}
