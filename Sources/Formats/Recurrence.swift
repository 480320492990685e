import Foundation

/// The part of RFC 5545's RRULE (§3.3.10) that networking groups use: weekly or monthly, every
/// INTERVAL weeks or months, on BYDAY days (`WE`, or `1WE` / `-1FR` in a month), ended by COUNT or
/// UNTIL or by nothing. Occurrences are computed in the event's own time zone, so an 08:00 weekly
/// breakfast stays at 08:00 local through a daylight-saving change (its UTC time moves instead).
public struct Recurrence: Equatable, Sendable {
    public enum Frequency: String, Sendable, CaseIterable {
        case weekly = "WEEKLY", monthly = "MONTHLY"
    }

    public enum Weekday: String, Sendable, CaseIterable, Comparable {
        case monday = "MO", tuesday = "TU", wednesday = "WE", thursday = "TH", friday = "FR", saturday = "SA", sunday = "SU"

        /// Monday 0 … Sunday 6: RFC 5545's default week start (WKST=MO).
        var index: Int { Self.allCases.firstIndex(of: self)! }
        /// Foundation's weekday number (Sunday 1 … Saturday 7).
        var gregorian: Int { (index + 1) % 7 + 1 }
        init(gregorian: Int) { self = Self.allCases[(gregorian + 5) % 7] }

        public var name: String {
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][index]
        }
        public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
    }

    /// A BYDAY entry: a weekday, and in a monthly rule optionally which one of the month (1…5 from
    /// the start, -1…-5 from the end).
    public struct Day: Equatable, Sendable {
        public var ordinal: Int?
        public var weekday: Weekday
        public init(_ weekday: Weekday, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }
    }

    public var frequency: Frequency
    public var interval: Int
    public var days: [Day]
    public var count: Int?
    public var until: Date?

    public init(frequency: Frequency, interval: Int = 1, days: [Day] = [], count: Int? = nil, until: Date? = nil) {
        self.frequency = frequency
        self.interval = interval
        self.days = days
        self.count = count
        self.until = until
    }

    /// What is wrong with a rule, in words for the person who typed it.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reads `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270601T000000Z` (an `RRULE:` prefix is allowed).
    /// Anything outside the subset is refused by name rather than ignored, so a rule never means less
    /// than it says.
    public init(parsing text: String) throws(Problem) {
        var body = text.trimmingCharacters(in: .whitespaces)
        if body.uppercased().hasPrefix("RRULE:") { body = String(body.dropFirst(6)) }
        var frequency: Frequency?
        var interval = 1
        var days: [Day] = []
        var count: Int?
        var until: Date?
        var seen = Set<String>()
        for part in body.split(separator: ";", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[1].isEmpty else { throw Problem(description: "'\(part)' is not NAME=VALUE") }
            let name = pair[0].uppercased(), value = pair[1].uppercased()
            guard seen.insert(name).inserted else { throw Problem(description: "\(name) appears twice") }
            switch name {
            case "FREQ":
                guard let parsed = Frequency(rawValue: value) else {
                    throw Problem(description: "FREQ must be WEEKLY or MONTHLY, not \(value)")
                }
                frequency = parsed
            case "INTERVAL":
                guard let parsed = Int(value), (1...52).contains(parsed) else {
                    throw Problem(description: "INTERVAL must be a whole number from 1 to 52")
                }
                interval = parsed
            case "COUNT":
                guard let parsed = Int(value), (1...520).contains(parsed) else {
                    throw Problem(description: "COUNT must be a whole number from 1 to 520")
                }
                count = parsed
            case "UNTIL":
                guard let parsed = Self.parseUntil(value) else {
                    throw Problem(description: "UNTIL must be a date like 20270601 or 20270601T000000Z")
                }
                until = parsed
            case "BYDAY":
                for part in value.split(separator: ",") { days.append(try Self.parseDay(String(part))) }
            case "WKST":
                guard value == "MO" else { throw Problem(description: "only WKST=MO is supported") }
            default:
                throw Problem(description: "\(name) is not supported (FREQ, INTERVAL, BYDAY, COUNT and UNTIL are)")
            }
        }
        guard let frequency else { throw Problem(description: "FREQ is missing") }
        if count != nil && until != nil { throw Problem(description: "COUNT and UNTIL cannot both be given") }
        if frequency == .weekly, days.contains(where: { $0.ordinal != nil }) {
            throw Problem(description: "a weekly rule takes plain days (MO, TU…), not numbered ones")
        }
        self.init(frequency: frequency, interval: interval, days: days, count: count, until: until)
    }

    private static func parseDay(_ text: String) throws(Problem) -> Day {
        let letters = text.suffix(2)
        guard let weekday = Weekday(rawValue: String(letters)) else {
            throw Problem(description: "'\(text)' is not a day (MO, TU, WE, TH, FR, SA, SU, or 1MO, -1FR…)")
        }
        let prefix = text.dropLast(2)
        guard !prefix.isEmpty else { return Day(weekday) }
        guard let ordinal = Int(prefix.hasPrefix("+") ? prefix.dropFirst() : prefix), ordinal != 0, (-5...5).contains(ordinal) else {
            throw Problem(description: "'\(text)': the number before a day must be 1 to 5 or -1 to -5")
        }
        return Day(weekday, ordinal: ordinal)
    }

    private static func parseUntil(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyyMMdd'T'HHmmss'Z'", "yyyyMMdd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                // A bare date means through the end of that day.
                return format == "yyyyMMdd" ? date.addingTimeInterval(86_399) : date
            }
        }
        return nil
    }

    /// The rule as RFC 5545 writes it, without the `RRULE:` name.
    public var rule: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if !days.isEmpty {
            parts.append("BYDAY=" + days.map { ($0.ordinal.map(String.init) ?? "") + $0.weekday.rawValue }.joined(separator: ","))
        }
        if let count { parts.append("COUNT=\(count)") }
        if let until { parts.append("UNTIL=" + ICalendar.utcStamp(until)) }
        return parts.joined(separator: ";")
    }

    /// "Every 2 weeks on Tuesday and Thursday, 10 times", for pages.
    public var summary: String {
        let every: String
        switch frequency {
        case .weekly: every = interval == 1 ? "Every week" : "Every \(interval) weeks"
        case .monthly: every = interval == 1 ? "Every month" : "Every \(interval) months"
        }
        var text = every
        if !days.isEmpty {
            let names = days.map { day -> String in
                guard let ordinal = day.ordinal else { return day.weekday.name }
                let words = [1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second-last",
                             -3: "third-last", -4: "fourth-last", -5: "fifth-last"]
                return "the \(words[ordinal] ?? String(ordinal)) \(day.weekday.name)"
            }
            text += " on " + (names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + names.last! : names[0])
        }
        if let count { text += count == 1 ? ", once" : ", \(count) times" }
        if let until {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "d MMM yyyy"
            text += ", until \(formatter.string(from: until))"
        }
        return text
    }

    /// Start times of the occurrences that begin in `window` (the first is `start` itself), without
    /// those in `exceptions`, at most `limit` of them. COUNT counts occurrences before exceptions are
    /// taken out (RFC 5545 §3.8.5.3: EXDATE removes from the set RRULE made).
    public func occurrences(
        start: Date, in zone: TimeZone, within window: ClosedRange<Date>, except exceptions: Set<Date> = [], limit: Int = 1_000
    ) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let time = calendar.dateComponents([.hour, .minute, .second], from: start)
        var found: [Date] = []
        var generated = 0
        // Periods (weeks or months) after the start's; far enough for COUNT=520 monthly or 10 years weekly.
        let periods = frequency == .weekly ? 520 * 2 : 600
        for period in stride(from: 0, to: periods * interval, by: interval) {
            for day in days(inPeriod: period, from: start, calendar: calendar) {
                guard let occurrence = calendar.date(bySettingHour: time.hour ?? 0, minute: time.minute ?? 0,
                                                     second: time.second ?? 0, of: day) else { continue }
                if occurrence < start { continue }
                if let until, occurrence > until { return found }
                generated += 1
                if let count, generated > count { return found }
                if occurrence > window.upperBound { return found }
                if occurrence >= window.lowerBound && !exceptions.contains(occurrence) {
                    found.append(occurrence)
                    if found.count >= limit { return found }
                }
            }
        }
        return found
    }

    /// The days (at local midnight) of one week or month, in order.
    private func days(inPeriod period: Int, from start: Date, calendar: Calendar) -> [Date] {
        let startDay = calendar.startOfDay(for: start)
        switch frequency {
        case .weekly:
            let weekday = Weekday(gregorian: calendar.component(.weekday, from: startDay))
            guard let monday = calendar.date(byAdding: .day, value: -weekday.index + period * 7, to: startDay) else { return [] }
            let wanted = days.isEmpty ? [weekday] : days.map(\.weekday).sorted()
            return wanted.compactMap { calendar.date(byAdding: .day, value: $0.index, to: monday) }
        case .monthly:
            var first = calendar.dateComponents([.year, .month], from: startDay)
            first.day = 1
            guard let monthStart = calendar.date(from: first),
                  let month = calendar.date(byAdding: .month, value: period, to: monthStart),
                  let length = calendar.range(of: .day, in: .month, for: month)?.count else { return [] }
            let monthDays = (0..<length).compactMap { calendar.date(byAdding: .day, value: $0, to: month) }
            if days.isEmpty {
                // The start's day of the month; months without it (a 31st) are skipped, as RFC 5545 says.
                let dayOfMonth = calendar.component(.day, from: startDay)
                return dayOfMonth <= length ? [monthDays[dayOfMonth - 1]] : []
            }
            var picked = Set<Int>()
            for rule in days {
                let matching = monthDays.indices.filter {
                    Weekday(gregorian: calendar.component(.weekday, from: monthDays[$0])) == rule.weekday
                }
                switch rule.ordinal {
                case nil: picked.formUnion(matching)
                case let n? where n > 0 && n <= matching.count: picked.insert(matching[n - 1])
                case let n? where n < 0 && -n <= matching.count: picked.insert(matching[matching.count + n])
                default: break
                }
            }
            return picked.sorted().map { monthDays[$0] }
        }
    }
}
