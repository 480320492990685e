import Foundation
import Habits
import PropertyBased
import Testing

@Suite struct DayTests {
    @Test func knownDays() {
        #expect(Day(iso: "1970-01-01")?.number == 0)
        #expect(Day(iso: "2026-11-02")?.weekday == 1)
        #expect(Day(iso: "2026-11-08")?.weekday == 7)
        #expect(Day(iso: "2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026/01/01", "２０２６-01-01", "", "2026-01-01T00:00"] {
            #expect(Day(iso: bad) == nil, "\(bad)")
        }
    }

    @Test func roundTripsAndAgreesWithFoundation() async {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // From 1696: Foundation's Gregorian calendar turns Julian before October 1582.
        await propertyCheck(input: Gen.int(in: -100_000...2_000_000)) { n in
            let day = Day(number: n)
            #expect(Day(iso: day.iso) == day)
            let date = Date(timeIntervalSince1970: Double(n) * 86_400 + 43_200)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            #expect(day.parts.year == parts.year && day.parts.month == parts.month && day.parts.day == parts.day)
            #expect(day.weekday == (parts.weekday! + 5) % 7 + 1)
            #expect(day.monday.weekday == 1 && day.monday <= day && day.monday.distance(to: day) < 7)
        }
    }
}
