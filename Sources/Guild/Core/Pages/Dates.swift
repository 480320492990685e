import Foundation

extension Date {
    /// Day precision in UTC, e.g. 2026-11-23 14:05.
    var shortDisplay: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: self)
    }

    /// "27 Nov 2026", in UTC. One formatter for every card of a list, not one per date.
    var dayDisplay: String { Self.dayFormatter.string(from: self) }

    private static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy"
        return formatter
    }()
}

/// A day without a time (away until, an event date), written YYYY-MM-DD in UTC.
enum CalendarDay {
    /// A calendar day written YYYY-MM-DD in this century, or nil ("99999-01-01" is not a return date).
    static func parse(_ raw: String) -> Date? {
        guard raw.wholeMatch(of: /20[0-9]{2}-[0-9]{2}-[0-9]{2}/) != nil, let date = formatter.date(from: raw),
            formatter.string(from: date) == raw
        else { return nil }
        return date
    }

    static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    static func string(_ date: Date) -> String { formatter.string(from: date) }
}
