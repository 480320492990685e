import Foundation
import NIOConcurrencyHelpers

/// Event times in words, in the zone they are given for: the event's own, or the viewer's.
enum EventTimes {
    private static let day = "EEEE d MMMM yyyy"
    private static let time = "HH:mm"
    private static let short = "EEE d MMM, HH:mm"
    /// One formatter per format and zone, made once: making a DateFormatter costs more than using one.
    private static let formatters = NIOLockedValueBox<[String: DateFormatter]>([:])

    /// "Wednesday 17 March 2027, 08:00–09:30 (Europe/London)"; an event over midnight names both days.
    static func describe(_ start: Date, end: Date, zone: TimeZone) -> String {
        let sameDay = string(day, start, zone) == string(day, end, zone)
        let to = sameDay ? string(time, end, zone) : string(day, end, zone) + ", " + string(time, end, zone)
        return string(day, start, zone) + ", " + string(time, start, zone) + "–" + to + " (\(zone.identifier))"
    }

    /// "Wed 17 Mar, 08:00", for lists.
    static func brief(_ date: Date, zone: TimeZone) -> String { string(short, date, zone) }

    /// "2027-03-17T08:00": the value of a `datetime-local` input in the event's zone.
    static func local(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { (n ?? 0) < 10 ? "0\(n ?? 0)" : "\(n ?? 0)" }
        return "\(c.year ?? 2000)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute))"
    }

    private static func string(_ format: String, _ date: Date, _ zone: TimeZone) -> String {
        let formatter = formatters.withLockedValue { cache in
            let key = format + "|" + zone.identifier
            if let made = cache[key] { return made }
            let made = DateFormatter()
            made.locale = Locale(identifier: "en_GB")
            made.timeZone = zone
            made.dateFormat = format
            if cache.count < 2_000 { cache[key] = made }
            return made
        }
        return formatter.string(from: date)
    }
}
