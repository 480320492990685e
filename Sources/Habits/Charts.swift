/// One Monday-to-Sunday week of a discipline: minutes logged (minutes a day) or days done (the
/// other kinds), days whose goal was met, paused days, and whether the week's goal was reached.
public struct WeekTotal: Sendable, Equatable {
    public var monday: Day
    public var total: Int
    public var daysMet: Int
    public var paused: Int
    /// The week's goal: 7 × target minutes, target days, or 7 days; less the paused days' share.
    public var goal: Int

    public static func weeks(_ history: History, count: Int, today: Day) -> [WeekTotal] {
        let first = today.monday.advanced(by: -7 * (count - 1))
        let paused = history.pausedDays(from: first, through: today.monday.advanced(by: 6))
        return (0..<count).map { i in
            let monday = first.advanced(by: 7 * i)
            var week = WeekTotal(monday: monday, total: 0, daysMet: 0, paused: 0, goal: 0)
            for day in monday...monday.advanced(by: 6) {
                if paused.contains(day) { week.paused += 1 }
                guard day <= today, let value = history.values[day] else { continue }
                week.total += history.kind == .minutesPerDay ? value : (value > 0 ? 1 : 0)
                if history.met(day) { week.daysMet += 1 }
            }
            let open = 7 - week.paused
            switch history.kind {
            case .minutesPerDay: week.goal = history.target * open
            case .timesPerWeek: week.goal = (history.target * open + 6) / 7
            case .done: week.goal = open
            }
            return week
        }
    }
}

/// Server-drawn SVG, no script: a title on the chart and on every cell or bar, so a screen reader
/// or a pointer hover reads the figure. Pages put the same figures in a table beside it.
public enum Charts {
    /// A year as GitHub and Loop draw it: 53 columns of weeks, Monday on top, darker for more.
    public static func heatMap(_ history: History, name: String, today: Day, id: String) -> String {
        let cell = 11, gap = 2, left = 28, top = 14
        let first = today.monday.advanced(by: -7 * 52)
        let paused = history.pausedDays(from: first, through: today)
        let width = left + 53 * (cell + gap), height = top + 7 * (cell + gap)
        var svg = "<svg class=\"heat-map\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(id)\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title id=\"\(id)\">\(escape(name)): the last 53 weeks, one square a day, darker for more</title>"
        for (row, label) in [(0, "Mon"), (2, "Wed"), (4, "Fri")] {
            svg += "<text x=\"0\" y=\"\(top + row * (cell + gap) + 9)\" font-size=\"9\">\(label)</text>"
        }
        var lastMonth = 0
        svg.reserveCapacity(svg.utf8.count + 371 * 90)
        for column in 0..<53 {
            let monday = first.advanced(by: column * 7)
            let month = monday.parts.month
            if month != lastMonth && column < 51 {
                svg += "<text x=\"\(left + column * (cell + gap))\" y=\"9\" font-size=\"9\">\(monthNames[month - 1])</text>"
                lastMonth = month
            }
            for row in 0..<7 {
                let day = monday.advanced(by: row)
                if day > today { break }
                let (level, words) = describe(history, day, paused: paused.contains(day))
                svg += "<rect class=\"h\(level)\" x=\"\(left + column * (cell + gap))\" y=\"\(top + row * (cell + gap))\" width=\"\(cell)\" height=\"\(cell)\"><title>\(day.iso) \(weekdayNames[row]): \(words)</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// Level 0–4 and the words for one day; "p" for paused.
    static func describe(_ history: History, _ day: Day, paused: Bool) -> (String, String) {
        if paused { return ("p", "paused") }
        guard day >= history.start, let value = history.values[day], value > 0 else { return ("0", "not logged") }
        switch history.kind {
        case .minutesPerDay:
            let share = Double(value) / Double(history.target)
            let level = share >= 1.5 ? 4 : share >= 1 ? 3 : share >= 0.5 ? 2 : 1
            return (String(level), "\(value) of \(history.target) minutes")
        case .timesPerWeek, .done:
            return ("3", "done")
        }
    }

    /// Bars per week with the week's goal drawn as a tick on each.
    public static func weeklyBars(_ weeks: [WeekTotal], kind: Kind, name: String, id: String) -> String {
        let width = 360.0, height = 120.0, bottom = 104.0, slot = width / Double(max(weeks.count, 1))
        let top = Double(max(1, weeks.map { max($0.total, $0.goal) }.max() ?? 1))
        let unit = kind == .minutesPerDay ? "minutes" : "days"
        var svg = "<svg class=\"week-bars\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title id=\"\(id)\">\(escape(name)): \(unit) per week for the last \(weeks.count) weeks, with each week's goal</title>"
        for (i, week) in weeks.enumerated() {
            let x = Double(i) * slot + 3, w = slot - 6
            let h = Double(week.total) / top * (bottom - 8)
            let reached = week.goal > 0 && week.total >= week.goal
            let name = label(week.monday)
            svg += "<rect class=\"\(reached ? "bar-met" : "bar")\" x=\"\(f(x))\" y=\"\(f(bottom - h))\" width=\"\(f(w))\" height=\"\(f(max(h, 0.5)))\">"
                + "<title>Week of \(name): \(week.total) \(unit), goal \(week.goal)\(week.paused > 0 ? ", \(week.paused) days paused" : "")</title></rect>"
            let g = bottom - Double(week.goal) / top * (bottom - 8)
            svg += "<line class=\"goal\" x1=\"\(f(x))\" x2=\"\(f(x + w))\" y1=\"\(f(g))\" y2=\"\(f(g))\"/>"
            if i % 3 == 0 { svg += "<text x=\"\(f(x))\" y=\"117\" font-size=\"10\">\(name)</text>" }
        }
        return svg + "</svg>"
    }

    /// "2 Nov": how a week (its Monday) or a day is named on charts and in tables.
    public static func label(_ day: Day) -> String {
        let (_, m, d) = day.parts
        return "\(d) \(monthNames[m - 1])"
    }

    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func f(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// Text for SVG/XML: the five characters that matter escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
