import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Habits
import Testing

@Suite struct ChartsTests {
    let today = Day(iso: "2026-12-02")!

    @Test func heatMapHasATitleAndOneTitledSquarePerDay() {
        let h = History(kind: .minutesPerDay, target: 60, start: today.advanced(by: -400),
                        values: [today: 90, today.advanced(by: -1): 30],
                        pauses: [Pause(from: today.advanced(by: -10), through: today.advanced(by: -8))])
        let svg = Charts.heatMap(h, name: "Writing <& more>", today: today, id: "hm1")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("aria-labelledby=\"hm1\""))
        #expect(svg.contains("<title id=\"hm1\">Writing &lt;&amp; more&gt;: the last 53 weeks"))
        // 52 full weeks and this week up to Wednesday.
        #expect(svg.components(separatedBy: "<rect").count - 1 == 52 * 7 + 3)
        #expect(svg.contains("<title>2026-12-02 Wed: 90 of 60 minutes</title>"))
        #expect(svg.contains("class=\"h4\""))
        #expect(svg.contains("<title>2026-11-23 Mon: paused</title>"))
        #expect(svg.contains("<title>2026-12-01 Tue: 30 of 60 minutes</title>"))
        // Well-formed XML.
        #expect(XMLParser(data: Data(svg.utf8)).parse())
    }

    @Test func weeklyTotalsAndBars() {
        let monday = today.monday
        let h = History(kind: .minutesPerDay, target: 60, start: monday.advanced(by: -7),
                        values: [monday.advanced(by: -7): 60, monday.advanced(by: -6): 30, monday: 120],
                        pauses: [Pause(from: monday.advanced(by: -2), through: monday.advanced(by: -1))])
        let weeks = WeekTotal.weeks(h, count: 2, today: today)
        #expect(weeks.map(\.total) == [90, 120])
        #expect(weeks.map(\.daysMet) == [1, 1])
        #expect(weeks.map(\.goal) == [300, 420])
        let svg = Charts.weeklyBars(weeks, kind: .minutesPerDay, name: "Writing", id: "wb")
        #expect(svg.contains("<title>Week of 23 Nov: 90 minutes, goal 300, 2 days paused</title>"))
        #expect(XMLParser(data: Data(svg.utf8)).parse())
    }
}
