@testable import Formats
import Foundation
import Testing

/// A wall-clock time in a zone, for writing expectations the way people say them.
private func local(_ text: String, _ zone: String) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

private func wallClock(_ date: Date, _ zone: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)
    formatter.dateFormat = "yyyy-MM-dd HH:mm EEE"
    return formatter.string(from: date)
}

private let london = TimeZone(identifier: "Europe/London")!
private let newYork = TimeZone(identifier: "America/New_York")!
private let always = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 4_000_000_000)

@Suite("Recurrence (RRULE subset)")
struct RecurrenceTests {
    @Test("an 08:00 weekly breakfast stays at 08:00 in London through the March change; its UTC time moves")
    func weeklyAcrossDaylightSaving() throws {
        // setup: Wednesdays from 17 March 2027; British Summer Time begins on Sunday 28 March
        let rule = try Recurrence(parsing: "FREQ=WEEKLY;BYDAY=WE;COUNT=4")
        // act
        let dates = rule.occurrences(start: local("2027-03-17 08:00", "Europe/London"), in: london, within: always)
        // assert
        #expect(dates.map { wallClock($0, "Europe/London") } == [
            "2027-03-17 08:00 Wed", "2027-03-24 08:00 Wed", "2027-03-31 08:00 Wed", "2027-04-07 08:00 Wed",
        ])
        #expect(dates.map { wallClock($0, "UTC") } == [
            "2027-03-17 08:00 Wed", "2027-03-24 08:00 Wed", "2027-03-31 07:00 Wed", "2027-04-07 07:00 Wed",
        ])
    }

    @Test("New York in November: 07:30 stays 07:30 local when clocks go back")
    func fallBack() throws {
        let rule = try Recurrence(parsing: "RRULE:FREQ=WEEKLY;COUNT=3")
        let dates = rule.occurrences(start: local("2026-10-25 07:30", "America/New_York"), in: newYork, within: always)
        #expect(dates.map { wallClock($0, "America/New_York") } == ["2026-10-25 07:30 Sun", "2026-11-01 07:30 Sun", "2026-11-08 07:30 Sun"])
        #expect(dates[2].timeIntervalSince(dates[1]) == 7 * 86_400 && dates[1].timeIntervalSince(dates[0]) == 7 * 86_400 + 3_600)
    }

    @Test("every two weeks on Tuesday and Thursday, from a Thursday: the Tuesday before the start is not an occurrence")
    func intervalAndDays() throws {
        let rule = try Recurrence(parsing: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,TU;COUNT=5")
        let dates = rule.occurrences(start: local("2026-12-03 18:00", "Europe/London"), in: london, within: always)
        #expect(dates.map { wallClock($0, "Europe/London") } == [
            "2026-12-03 18:00 Thu", "2026-12-15 18:00 Tue", "2026-12-17 18:00 Thu", "2026-12-29 18:00 Tue", "2026-12-31 18:00 Thu",
        ])
        #expect(rule.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,TU;COUNT=5")
        #expect(rule.summary == "Every 2 weeks on Thursday and Tuesday, 5 times")
    }

    @Test("monthly on the first Wednesday and on the last Friday")
    func monthlyByNumberedDay() throws {
        let first = try Recurrence(parsing: "FREQ=MONTHLY;BYDAY=1WE;COUNT=3")
        #expect(first.occurrences(start: local("2026-12-02 08:00", "Europe/London"), in: london, within: always)
            .map { wallClock($0, "Europe/London") } == ["2026-12-02 08:00 Wed", "2027-01-06 08:00 Wed", "2027-02-03 08:00 Wed"])
        let last = try Recurrence(parsing: "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3")
        #expect(last.occurrences(start: local("2026-12-01 12:00", "Europe/London"), in: london, within: always)
            .map { wallClock($0, "Europe/London") } == ["2026-12-25 12:00 Fri", "2027-01-29 12:00 Fri", "2027-02-26 12:00 Fri"])
        #expect(first.summary == "Every month on the first Wednesday, 3 times")
    }

    @Test("monthly on the 31st skips the months without one")
    func monthlyOnADayNotEveryMonthHas() throws {
        let rule = try Recurrence(parsing: "FREQ=MONTHLY;COUNT=3")
        #expect(rule.occurrences(start: local("2027-01-31 09:00", "Europe/London"), in: london, within: always)
            .map { wallClock($0, "Europe/London") } == ["2027-01-31 09:00 Sun", "2027-03-31 09:00 Wed", "2027-05-31 09:00 Mon"])
    }

    @Test("a cancelled date is left out but still counts toward COUNT; UNTIL includes its own day")
    func exceptionsAndUntil() throws {
        let start = local("2027-01-06 08:00", "Europe/London")
        let counted = try Recurrence(parsing: "FREQ=WEEKLY;COUNT=4")
        let cancelled = local("2027-01-13 08:00", "Europe/London")
        #expect(counted.occurrences(start: start, in: london, within: always, except: [cancelled])
            .map { wallClock($0, "Europe/London") } == ["2027-01-06 08:00 Wed", "2027-01-20 08:00 Wed", "2027-01-27 08:00 Wed"])
        let until = try Recurrence(parsing: "FREQ=WEEKLY;UNTIL=20270120")
        #expect(until.occurrences(start: start, in: london, within: always).count == 3)
        #expect(until.rule == "FREQ=WEEKLY;UNTIL=20270120T235959Z")
    }

    @Test("a window picks the occurrences inside it, and a rule without an end stops at the limit")
    func window() throws {
        let rule = try Recurrence(parsing: "FREQ=WEEKLY")
        let start = local("2027-01-06 08:00", "Europe/London")
        let window = local("2027-02-01 00:00", "Europe/London")...local("2027-02-28 23:59", "Europe/London")
        #expect(rule.occurrences(start: start, in: london, within: window).map { wallClock($0, "Europe/London") }
            == ["2027-02-03 08:00 Wed", "2027-02-10 08:00 Wed", "2027-02-17 08:00 Wed", "2027-02-24 08:00 Wed"])
        #expect(rule.occurrences(start: start, in: london, within: always, limit: 10).count == 10)
    }

    @Test("what is outside the subset is refused by name", arguments: [
        ("FREQ=DAILY", "FREQ must be WEEKLY or MONTHLY"),
        ("FREQ=WEEKLY;BYSETPOS=1", "BYSETPOS is not supported"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "COUNT and UNTIL cannot both be given"),
        ("FREQ=WEEKLY;BYDAY=1MO", "a weekly rule takes plain days"),
        ("FREQ=MONTHLY;BYDAY=6MO", "the number before a day must be 1 to 5"),
        ("FREQ=WEEKLY;BYDAY=XX", "'XX' is not a day"),
        ("INTERVAL=2", "FREQ is missing"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 52"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "UNTIL must be a date"),
        ("FREQ=WEEKLY;FREQ=MONTHLY", "FREQ appears twice"),
    ])
    func refused(rule: String, message: String) {
        #expect(throws: Recurrence.Problem.self) { try Recurrence(parsing: rule) }
        do {
            _ = try Recurrence(parsing: rule)
        } catch {
            #expect(error.description.contains(message), "\(rule): \(error.description)")
        }
    }
}

@Suite("iCalendar writer")
struct ICalendarTests {
    private let stamp = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("CRLF everywhere, no line over 75 octets, text escaped, a multi-byte character never split")
    func foldingAndEscaping() {
        // setup: a long title with separators and accents, a description with a line break
        let summary = "Breakfast, coffee; and a talk on \\ bookkeeping — " + String(repeating: "é", count: 60)
        let event = CalendarEvent(
            uid: "event-1@guild.example", stamp: stamp, start: stamp, end: stamp.addingTimeInterval(3_600),
            summary: summary, description: "Line one\nLine two")
        // act
        let text = ICalendar.write([event], name: "Morning, circle")
        // assert
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() where byte == 10 { #expect(index > 0 && bytes[index - 1] == 13) }
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        var physical: [[UInt8]] = [[]]
        for byte in bytes where byte != 13 { if byte == 10 { physical.append([]) } else { physical[physical.count - 1].append(byte) } }
        #expect(physical.allSatisfy { String(validating: $0, as: UTF8.self) != nil })
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:Breakfast\\, coffee\\; and a talk on \\\\ bookkeeping — "))
        #expect(unfolded.contains("DESCRIPTION:Line one\\nLine two"))
        #expect(unfolded.contains("X-WR-CALNAME:Morning\\, circle"))
        #expect(unfolded.contains("DTSTART:20270115T080000Z"))
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
    }

    @Test("a recurring event in London: TZID times, a VTIMEZONE with both changes, RRULE and EXDATE")
    func recurringWithTimeZone() throws {
        let start = local("2027-03-17 08:00", "Europe/London")
        let event = CalendarEvent(
            uid: "breakfast@guild.example", sequence: 2, stamp: stamp, start: start, end: start.addingTimeInterval(5_400),
            timeZone: london, summary: "Breakfast", recurrence: try Recurrence(parsing: "FREQ=WEEKLY;BYDAY=WE;COUNT=10"),
            exceptions: [local("2027-03-24 08:00", "Europe/London")])
        let text = ICalendar.write([event], method: .publish)
        #expect(text.contains("METHOD:PUBLISH\r\n"))
        #expect(text.contains("DTSTART;TZID=Europe/London:20270317T080000\r\n"))
        #expect(text.contains("DTEND;TZID=Europe/London:20270317T093000\r\n"))
        #expect(text.contains("RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=10\r\n"))
        #expect(text.contains("EXDATE;TZID=Europe/London:20270324T080000\r\n"))
        #expect(text.contains("SEQUENCE:2\r\n"))
        #expect(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"))
        // The spring change: 01:00 GMT becomes 02:00 BST on 28 March 2027.
        #expect(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270328T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n"))
        #expect(text.contains("BEGIN:STANDARD\r\nDTSTART:20271031T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"))
    }

    @Test("an invitation names the organizer and the attendees; a zone without changes gets one STANDARD part")
    func invitation() {
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let event = CalendarEvent(
            uid: "one-to-one-7@guild.example", stamp: stamp, start: stamp, end: stamp.addingTimeInterval(1_800), timeZone: tokyo,
            summary: "One-to-one", organizer: .init(name: "Ada \"AL\" Lovelace", email: "ada@example.com"),
            attendees: [.init(name: "Bayo", email: "bayo@example.com", participation: "ACCEPTED")])
        let text = ICalendar.write([event], method: .request).replacingOccurrences(of: "\r\n ", with: "")
        #expect(text.contains("ORGANIZER;CN=\"Ada AL Lovelace\":mailto:ada@example.com\r\n"))
        #expect(text.contains("ATTENDEE;CN=\"Bayo\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:bayo@example.com\r\n"))
        #expect(text.contains("BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"))
        #expect(ICalendar.offsetText(-16_200) == "-0430" && ICalendar.offsetText(20_700) == "+0545")
    }

    @Test("an edited date of a series carries the series' UID and a RECURRENCE-ID in the series' zone")
    func recurrenceID() throws {
        let rule = try Recurrence(parsing: "FREQ=WEEKLY;COUNT=4")
        let master = CalendarEvent(uid: "event-1@guild", stamp: always.lowerBound, start: local("2027-03-17 08:00", "Europe/London"),
                                   end: local("2027-03-17 09:30", "Europe/London"), timeZone: london, summary: "Breakfast", recurrence: rule)
        let moved = CalendarEvent(uid: "event-1@guild", sequence: 1, stamp: always.lowerBound, start: local("2027-03-31 09:00", "Europe/London"),
                                  end: local("2027-03-31 10:30", "Europe/London"), timeZone: london, summary: "Breakfast, later",
                                  recurrenceID: local("2027-03-31 08:00", "Europe/London"))
        let text = ICalendar.write([master, moved], method: .publish)
        #expect(text.contains("RECURRENCE-ID;TZID=Europe/London:20270331T080000\r\n"))
        #expect(text.contains("DTSTART;TZID=Europe/London:20270331T090000\r\n") && text.contains("SEQUENCE:1\r\n"))
        #expect(text.components(separatedBy: "UID:event-1@guild\r\n").count == 3)
        #expect(!text.components(separatedBy: "BEGIN:VEVENT")[1].contains("RECURRENCE-ID"))
    }
}
