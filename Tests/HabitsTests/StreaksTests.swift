import Foundation
import Habits
import PropertyBased
import Testing

@Suite struct StreaksTests {
    let monday = Day(iso: "2026-11-02")!

    func history(_ days: [Int], kind: Kind = .done, target: Int = 1, start: Day? = nil, pauses: [Pause] = []) -> History {
        History(kind: kind, target: target, start: start ?? monday,
                values: Dictionary(uniqueKeysWithValues: days.map { (monday.advanced(by: $0), kind == .minutesPerDay ? target : 1) }),
                pauses: pauses)
    }

    @Test func daysInARow() {
        let h = history([0, 1, 2, 4, 5])
        #expect(Streaks.of(h, today: monday.advanced(by: 5)) == Streaks(current: 2, best: 3, unit: .days))
        // Today (day 6) not logged yet: the streak stands.
        #expect(Streaks.of(h, today: monday.advanced(by: 6)).current == 2)
        // Day 7: day 6 was missed.
        #expect(Streaks.of(h, today: monday.advanced(by: 7)).current == 0)
    }

    @Test func aPauseBridgesTheGap() {
        let h = history([0, 1, 2, 6, 7], pauses: [Pause(from: monday.advanced(by: 3), through: monday.advanced(by: 5))])
        #expect(Streaks.of(h, today: monday.advanced(by: 7)) == Streaks(current: 5, best: 5, unit: .days))
    }

    @Test func minutesUnderTheTargetDoNotCount() {
        let h = History(kind: .minutesPerDay, target: 60, start: monday,
                        values: [monday: 60, monday.advanced(by: 1): 59, monday.advanced(by: 2): 90])
        #expect(Streaks.of(h, today: monday.advanced(by: 2)) == Streaks(current: 1, best: 1, unit: .days))
    }

    @Test func backfillBeforeTheStartCounts() {
        // Made on day 3, days 0–2 filled in afterwards: a four-day streak.
        let h = history([0, 1, 2, 3], start: monday.advanced(by: 3))
        #expect(h.start == monday)
        #expect(Streaks.of(h, today: monday.advanced(by: 3)).current == 4)
    }

    @Test func weeksForTimesAWeek() {
        // Three a week: weeks 1 and 2 met, week 3 only twice, week 4 met, week 5 (this week) twice so far.
        let h = history([0, 2, 4, 7, 8, 9, 14, 16, 21, 22, 23, 28, 29], kind: .timesPerWeek, target: 3)
        #expect(Streaks.of(h, today: monday.advanced(by: 30)) == Streaks(current: 1, best: 2, unit: .weeks))
        // Once this week reaches three, it counts.
        let more = history([0, 2, 4, 7, 8, 9, 14, 16, 21, 22, 23, 28, 29, 30], kind: .timesPerWeek, target: 3)
        #expect(Streaks.of(more, today: monday.advanced(by: 30)).current == 2)
    }

    @Test func aPausedWeekAsksLess() {
        // Three a week; week 2 paused Monday–Thursday: ⌈3 × 3 / 7⌉ = 2 asked, 2 done.
        let pause = Pause(from: monday.advanced(by: 7), through: monday.advanced(by: 10))
        let h = history([0, 2, 4, 11, 12, 14, 15, 16], kind: .timesPerWeek, target: 3, pauses: [pause])
        #expect(Streaks.of(h, today: monday.advanced(by: 16)) == Streaks(current: 3, best: 3, unit: .weeks))
    }

    @Test func streaksAcrossDaylightSavingChanges() {
        // A member in New York logs at 23:30 every night from 6 to 10 March 2026 (clocks go forward on
        // the 8th) and in London from 27 to 31 March (forward on the 29th): each night is its own day.
        for (zoneName, first) in [("America/New_York", "2026-03-06"), ("Europe/London", "2026-03-27"), ("Australia/Lord_Howe", "2026-04-03")] {
            let zone = TimeZone(identifier: zoneName)!
            let start = Day(iso: first)!
            var values: [Day: Int] = [:]
            for i in 0..<5 {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = zone
                let (y, m, d) = start.advanced(by: i).parts
                let night = calendar.date(from: DateComponents(year: y, month: m, day: d, hour: 23, minute: 30))!
                values[Day(night, in: zone)] = 1
            }
            let h = History(kind: .done, target: 1, start: start, values: values)
            #expect(values.count == 5, "\(zoneName)")
            #expect(Streaks.of(h, today: start.advanced(by: 4)).current == 5, "\(zoneName)")
        }
    }

    @Test func aTimeZoneChangeMovesTodayNotThePast() {
        // Logged through Tuesday in Los Angeles; at 23:00 Tuesday there the member moves to Tokyo,
        // where it is already Wednesday: the streak stands (Wednesday is today and not over).
        let tuesday = Day(iso: "2026-11-03")!
        let h = history([0, 1])
        let instant = tuesday.start(in: TimeZone(identifier: "America/Los_Angeles")!).addingTimeInterval(23 * 3600)
        let todayInTokyo = Day(instant, in: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(todayInTokyo == tuesday.advanced(by: 1))
        #expect(Streaks.of(h, today: todayInTokyo).current == 2)
    }

    @Test func currentNeverAboveBestNorMetDays() async {
        await propertyCheck(input: Gen.int(in: 0...60).array(of: 0...40), Gen.int(in: 1...7)) { offsets, target in
            let days = Array(Set(offsets))
            for kind in [Kind.done, .timesPerWeek] {
                let h = history(days, kind: kind, target: kind == .done ? 1 : target)
                let s = Streaks.of(h, today: monday.advanced(by: 61))
                #expect(s.current <= s.best)
                #expect(kind == .timesPerWeek || s.best <= days.count)
            }
        }
    }
}
