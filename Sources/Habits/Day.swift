import Foundation

/// A calendar day with no time and no zone, counted from 1970-01-01 (day 0). The member's zone decides
/// once which day "today" is; from then on days are whole, so a DST change alters the length of an
/// hour, never which days are in a streak.
public struct Day: Hashable, Comparable, Strideable, Sendable, CustomStringConvertible {
    public let number: Int

    public init(number: Int) { self.number = number }

    /// Nil for a date that does not exist (2026-02-30) or outside years 1–9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.length(of: month, in: year)).contains(day) else { return nil }
        // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = era * 146_097 + doe - 719_468
    }

    /// Only `YYYY-MM-DD` exactly, as the API and the forms send it.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day it is at `date` where the member lives: the instant moved by the zone's offset at that
    /// instant (DST included), then whole days since 1970. No Calendar: pages bucket hundreds of instants.
    public init(_ date: Date, in zone: TimeZone) {
        let local = date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
        number = Int((local / 86_400).rounded(.down))
    }

    public var parts: (year: Int, month: Int, day: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var iso: String {
        let (y, m, d) = parts
        return String(y).leftPadded(4) + "-" + String(m).leftPadded(2) + "-" + String(d).leftPadded(2)
    }

    public var description: String { iso }

    /// 1 = Monday … 7 = Sunday (ISO 8601). Day 0 was a Thursday.
    public var weekday: Int { ((number % 7) + 7 + 3) % 7 + 1 }

    /// The Monday that starts this day's week.
    public var monday: Day { Day(number: number - (weekday - 1)) }

    /// Midnight at the start of this day in `zone` (the first instant that is this day there).
    public func start(in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let (y, m, d) = parts
        return calendar.date(from: DateComponents(year: y, month: m, day: d))!
    }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }
    public func advanced(by n: Int) -> Day { Day(number: number + n) }
    public func distance(to other: Day) -> Int { other.number - number }

    static func length(of month: Int, in year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
