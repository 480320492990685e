import Foundation
import Habits
import PropertyBased
import Testing

/// Strength against values worked out by hand from s(d) = s(d−1)·m + v(d)·(1−m), m = 0.5^(√f/13).
@Suite struct StrengthTests {
    let monday = Day(iso: "2026-11-02")!

    func daily(_ values: [Int?], kind: Kind = .done, target: Int = 1, pauses: [Pause] = []) -> History {
        var map: [Day: Int] = [:]
        for (i, value) in values.enumerated() { if let value { map[monday.advanced(by: i)] = value } }
        return History(kind: kind, target: target, start: monday, values: map, pauses: pauses)
    }

    @Test func thirteenDaysDoneIsOneHalf() {
        // m^13 = 0.5 exactly, so 13 days done from 0 leave 1 − 0.5.
        let history = daily(Array(repeating: 1, count: 13))
        #expect(abs(Strength.current(history, today: monday.advanced(by: 12)) - 0.5) < 1e-12)
        // 26 days: 1 − 0.25.
        let longer = daily(Array(repeating: 1, count: 26))
        #expect(abs(Strength.current(longer, today: monday.advanced(by: 25)) - 0.75) < 1e-12)
    }

    @Test func oneDayAndTwo() {
        #expect(abs(Strength.current(daily([1]), today: monday) - 0.051922486) < 1e-8)
        #expect(abs(Strength.current(daily([1, 1]), today: monday.advanced(by: 1)) - 0.101149027) < 1e-8)
    }

    @Test func oneMissAfterAStrongRunCostsAboutFivePercent() {
        // 26 done (0.75), then a logged "not done" day: 0.75 × m = 0.711058.
        let history = daily(Array(repeating: 1, count: 26) + [0])
        #expect(abs(Strength.current(history, today: monday.advanced(by: 26)) - 0.711058136) < 1e-8)
    }

    @Test func halfTheMinutesIsHalfTheValue() {
        // 30 of 60 minutes for 13 days: 0.5 × (1 − 0.5) = 0.25.
        let history = daily(Array(repeating: 30, count: 13), kind: .minutesPerDay, target: 60)
        #expect(abs(Strength.current(history, today: monday.advanced(by: 12)) - 0.25) < 1e-12)
    }

    @Test func threeTimesAWeek() {
        // f = 3/7, m = 0.965697; Mon, Wed, Fri for two weeks, the value being done-in-the-last-7 ÷ 3.
        let history = daily([1, nil, 1, nil, 1, nil, nil, 1, nil, 1, nil, 1, nil, nil], kind: .timesPerWeek, target: 3)
        #expect(abs(Strength.multiplier(frequency: 3.0 / 7) - 0.965696682) < 1e-8)
        // Day 13 ends unlogged: counted once day 14 is today.
        #expect(abs(Strength.current(history, today: monday.advanced(by: 14)) - 0.341138539) < 1e-8)
    }

    @Test func pausedDaysCarryStrengthUnchanged() {
        let pause = Pause(from: monday.advanced(by: 13), through: monday.advanced(by: 19))
        // 13 done, a week paused with nothing logged, one more done: as if the week never happened.
        let history = daily(Array(repeating: 1, count: 13) + Array(repeating: nil, count: 7) + [1], pauses: [pause])
        let plain = daily(Array(repeating: 1, count: 14))
        #expect(abs(Strength.current(history, today: monday.advanced(by: 20)) - Strength.current(plain, today: monday.advanced(by: 13))) < 1e-12)
    }

    @Test func anUnloggedTodayIsNotAMiss() {
        let history = daily(Array(repeating: 1, count: 13))
        // Day 14 not logged yet: strength is still day 13's.
        #expect(abs(Strength.current(history, today: monday.advanced(by: 13)) - 0.5) < 1e-12)
        // Day 15: day 14 was missed.
        #expect(Strength.current(history, today: monday.advanced(by: 14)) < 0.5)
    }

    // MARK: Properties

    static let days = Gen.int(in: 0...3).array(of: 0...120)

    @Test func strengthStaysBetweenZeroAndOne() async {
        await propertyCheck(input: Self.days, Gen.int(in: 1...90)) { raw, target in
            for kind in Kind.allCases {
                let history = daily(raw.map { $0 == 0 ? nil : $0 * 30 }, kind: kind, target: min(target, kind.targets.upperBound))
                for (_, s) in Strength.series(history, today: monday.advanced(by: raw.count)) {
                    #expect(s >= 0 && s <= 1)
                }
            }
        }
    }

    @Test func doingMoreNeverLowersStrength() async {
        await propertyCheck(input: Self.days, Gen.int(in: 0...119)) { raw, index in
            guard index < raw.count else { return }
            var more = raw
            more[index] = 3
            let today = monday.advanced(by: raw.count)
            for kind in Kind.allCases {
                let target = kind == .minutesPerDay ? 60 : kind == .timesPerWeek ? 3 : 1
                let before = Strength.current(daily(raw.map { $0 == 0 ? nil : $0 * 30 }, kind: kind, target: target), today: today)
                let after = Strength.current(daily(more.map { $0 == 0 ? nil : $0 * 30 }, kind: kind, target: target), today: today)
                #expect(after >= before - 1e-12)
            }
        }
    }

    @Test func pausingUnloggedDaysNeverLowersStrengthOrStreaks() async {
        await propertyCheck(input: Self.days, Gen.int(in: 0...119), Gen.int(in: 0...20)) { raw, from, length in
            let today = monday.advanced(by: raw.count)
            // Pause a stretch and clear what was logged in it: the days "did not happen".
            var cleared = raw
            for i in from..<max(from, min(from + length + 1, raw.count)) { cleared[i] = 0 }
            let values = cleared.map { $0 == 0 ? nil : Int?($0) }
            let pause = Pause(from: monday.advanced(by: from), through: monday.advanced(by: from + length))
            for kind in [Kind.done, .minutesPerDay] {
                let target = kind == .minutesPerDay ? 2 : 1
                let plain = daily(values, kind: kind, target: target), paused = daily(values, kind: kind, target: target, pauses: [pause])
                #expect(Strength.current(paused, today: today) >= Strength.current(plain, today: today) - 1e-12)
                #expect(Streaks.of(paused, today: today).current >= Streaks.of(plain, today: today).current)
                #expect(Streaks.of(paused, today: today).best >= Streaks.of(plain, today: today).best)
            }
        }
    }
}
