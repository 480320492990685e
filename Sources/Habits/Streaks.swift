/// Current and best streaks. Daily kinds count days in a row with the day's goal met; times a week
/// counts weeks (Monday to Sunday) in a row with the target met. Forgiving in two ways:
/// - paused days neither extend nor break a streak (a week's target shrinks with its paused days:
///   ⌈n × unpaused days ÷ 7⌉, and a week paused throughout is passed over);
/// - today (and this week) is not over: not yet met, it leaves the streak as it was yesterday.
public struct Streaks: Sendable, Equatable {
    public enum Unit: String, Sendable { case days, weeks }
    public var current: Int
    public var best: Int
    public var unit: Unit

    public init(current: Int, best: Int, unit: Unit) { self.current = current; self.best = best; self.unit = unit }

    public static func of(_ history: History, today: Day) -> Streaks {
        guard history.start <= today else { return Streaks(current: 0, best: 0, unit: history.kind == .timesPerWeek ? .weeks : .days) }
        let paused = history.pausedDays(from: history.start.monday, through: today)
        var run = 0, best = 0
        if history.kind == .timesPerWeek {
            var monday = history.start.monday
            while monday <= today {
                let first = max(monday, history.start), last = min(monday.advanced(by: 6), today)
                let sunday = monday.advanced(by: 6)
                // Days of the week the target is asked of: from the start (first week) to Sunday, not paused.
                let asked = (first...sunday).filter { !paused.contains($0) }.count
                if asked > 0 {
                    let required = (history.target * asked + 6) / 7
                    let done = (first...last).filter { !paused.contains($0) && history.met($0) }.count
                    if done >= required {
                        run += 1
                    } else if sunday >= today {
                        // This week is not over.
                    } else {
                        run = 0
                    }
                    best = max(best, run)
                }
                monday = monday.advanced(by: 7)
            }
            return Streaks(current: run, best: best, unit: .weeks)
        }
        for day in history.start...today where !paused.contains(day) {
            if history.met(day) {
                run += 1
                best = max(best, run)
            } else if day < today {
                run = 0
            }
        }
        return Streaks(current: run, best: best, unit: .days)
    }
}
