import Foundation

/// One VEVENT. Times are instants; `timeZone` says which wall clock they are written in (with a
/// VTIMEZONE for it) — nil writes them in UTC.
public struct CalendarEvent: Sendable {
    public enum Status: String, Sendable { case confirmed = "CONFIRMED", tentative = "TENTATIVE", cancelled = "CANCELLED" }

    public struct Person: Sendable, Equatable {
        public var name: String
        public var email: String
        /// ACCEPTED, NEEDS-ACTION, DECLINED, TENTATIVE (RFC 5545 §3.2.12).
        public var participation: String?
        public init(name: String, email: String, participation: String? = nil) {
            self.name = name
            self.email = email
            self.participation = participation
        }
    }

    public var uid: String
    public var sequence: Int
    public var stamp: Date
    public var start: Date
    public var end: Date
    public var timeZone: TimeZone?
    public var summary: String
    public var description: String
    public var location: String
    public var url: String?
    public var status: Status
    public var recurrence: Recurrence?
    /// Start times of cancelled occurrences of a recurring event (EXDATE).
    public var exceptions: [Date]
    public var organizer: Person?
    public var attendees: [Person]
    /// For one edited date of a recurring event: the date of the rule it replaces (RFC 5545 3.8.4.4),
    /// written with the series' UID.
    public var recurrenceID: Date?

    public init(
        uid: String, sequence: Int = 0, stamp: Date, start: Date, end: Date, timeZone: TimeZone? = nil,
        summary: String, description: String = "", location: String = "", url: String? = nil,
        status: Status = .confirmed, recurrence: Recurrence? = nil, exceptions: [Date] = [],
        organizer: Person? = nil, attendees: [Person] = [], recurrenceID: Date? = nil
    ) {
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.status = status
        self.recurrence = recurrence
        self.exceptions = exceptions
        self.organizer = organizer
        self.attendees = attendees
        self.recurrenceID = recurrenceID
    }
}

/// iCalendar (RFC 5545) as Guild writes it: CRLF, lines folded at 75 octets, text escaped, local
/// times with a VTIMEZONE built from the system's time-zone database, and METHOD for invitations
/// (RFC 5546: REQUEST to invite or update, CANCEL to call off).
public enum ICalendar {
    public enum Method: String, Sendable { case publish = "PUBLISH", request = "REQUEST", cancel = "CANCEL" }

    public static func write(
        _ events: [CalendarEvent], method: Method? = nil, name: String? = nil, productID: String = "-//Guild//Guild//EN"
    ) -> String {
        var out = ""
        out.reserveCapacity(600 + events.count * 500)
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + productID, "CALSCALE:GREGORIAN"]
        if let method { lines.append("METHOD:" + method.rawValue) }
        if let name {
            lines.append("NAME:" + ContentLine.escape(name))
            lines.append("X-WR-CALNAME:" + ContentLine.escape(name))
        }
        for line in lines { ContentLine.fold(line, into: &out) }

        // One VTIMEZONE per zone used, covering every event written in it.
        var spans: [String: (zone: TimeZone, from: Date, to: Date)] = [:]
        for event in events {
            guard let zone = event.timeZone, zone.identifier != "UTC", zone.identifier != "GMT" else { continue }
            let last = event.recurrence.map { $0.until ?? event.start.addingTimeInterval(3 * 365 * 86_400) } ?? event.end
            let span = spans[zone.identifier] ?? (zone, event.start, last)
            spans[zone.identifier] = (zone, min(span.from, event.start), max(span.to, last))
        }
        for identifier in spans.keys.sorted() {
            let span = spans[identifier]!
            for line in timeZoneLines(span.zone, from: span.from, to: span.to) { ContentLine.fold(line, into: &out) }
        }

        for event in events {
            for line in eventLines(event) { ContentLine.fold(line, into: &out) }
        }
        ContentLine.fold("END:VCALENDAR", into: &out)
        return out
    }

    static func eventLines(_ event: CalendarEvent) -> [String] {
        var lines = ["BEGIN:VEVENT", "UID:" + ContentLine.escape(event.uid), "DTSTAMP:" + utcStamp(event.stamp)]
        lines.append("DTSTART" + time(event.start, in: event.timeZone))
        lines.append("DTEND" + time(event.end, in: event.timeZone))
        if let recurrenceID = event.recurrenceID { lines.append("RECURRENCE-ID" + time(recurrenceID, in: event.timeZone)) }
        if event.sequence > 0 { lines.append("SEQUENCE:\(event.sequence)") }
        lines.append("SUMMARY:" + ContentLine.escape(event.summary))
        if !event.description.isEmpty { lines.append("DESCRIPTION:" + ContentLine.escape(event.description)) }
        if !event.location.isEmpty { lines.append("LOCATION:" + ContentLine.escape(event.location)) }
        if let url = event.url, !url.isEmpty { lines.append("URL:" + url) }
        lines.append("STATUS:" + event.status.rawValue)
        if let recurrence = event.recurrence { lines.append("RRULE:" + recurrence.rule) }
        for exception in event.exceptions.sorted() { lines.append("EXDATE" + time(exception, in: event.timeZone)) }
        if let organizer = event.organizer {
            lines.append("ORGANIZER" + commonName(organizer.name) + ":mailto:" + organizer.email)
        }
        for person in event.attendees {
            var line = "ATTENDEE" + commonName(person.name) + ";ROLE=REQ-PARTICIPANT"
            if let participation = person.participation { line += ";PARTSTAT=" + participation }
            lines.append(line + ":mailto:" + person.email)
        }
        lines.append("END:VEVENT")
        return lines
    }

    /// `;CN="Ada Lovelace"`: a quoted parameter value may hold anything but control characters and DQUOTE.
    static func commonName(_ name: String) -> String {
        let clean = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0.value != 0x7F }.map(Character.init))
        return clean.isEmpty ? "" : ";CN=\"\(clean)\""
    }

    /// `;TZID=Europe/London:20270110T080000` or `:20270110T080000Z`.
    static func time(_ date: Date, in zone: TimeZone?) -> String {
        guard let zone, zone.identifier != "UTC", zone.identifier != "GMT" else { return ":" + utcStamp(date) }
        return ";TZID=\(zone.identifier):" + localStamp(date, in: zone)
    }

    public static func utcStamp(_ date: Date) -> String {
        localStamp(date, in: TimeZone(identifier: "UTC")!) + "Z"
    }

    static func localStamp(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return pad(c.year ?? 0, 4) + pad(c.month ?? 0, 2) + pad(c.day ?? 0, 2) + "T"
            + pad(c.hour ?? 0, 2) + pad(c.minute ?? 0, 2) + pad(c.second ?? 0, 2)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A VTIMEZONE with one STANDARD or DAYLIGHT part per transition from a year before `from` to a
    /// year after `to` (each onset written in the local time before it, RFC 5545 §3.6.5), or a single
    /// STANDARD part for a zone without transitions in that time.
    static func timeZoneLines(_ zone: TimeZone, from: Date, to: Date) -> [String] {
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + zone.identifier]
        let windowStart = from.addingTimeInterval(-366 * 86_400)
        let windowEnd = min(to, from.addingTimeInterval(20 * 366 * 86_400)).addingTimeInterval(366 * 86_400)
        var transitions: [Date] = []
        var cursor = windowStart
        while transitions.count < 60, let next = zone.nextDaylightSavingTimeTransition(after: cursor), next <= windowEnd {
            transitions.append(next)
            cursor = next
        }
        if transitions.isEmpty {
            let offset = zone.secondsFromGMT(for: from)
            lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:" + offsetText(offset),
                      "TZOFFSETTO:" + offsetText(offset)]
            if let name = zone.abbreviation(for: from) { lines.append("TZNAME:" + ContentLine.escape(name)) }
            lines.append("END:STANDARD")
        }
        for transition in transitions {
            let before = zone.secondsFromGMT(for: transition.addingTimeInterval(-1))
            let after = zone.secondsFromGMT(for: transition)
            let kind = zone.isDaylightSavingTime(for: transition) ? "DAYLIGHT" : "STANDARD"
            let onset = localStamp(transition.addingTimeInterval(TimeInterval(before)), in: TimeZone(identifier: "UTC")!)
            lines += ["BEGIN:" + kind, "DTSTART:" + onset, "TZOFFSETFROM:" + offsetText(before), "TZOFFSETTO:" + offsetText(after)]
            if let name = zone.abbreviation(for: transition) { lines.append("TZNAME:" + ContentLine.escape(name)) }
            lines.append("END:" + kind)
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    /// `+0100`, `-0430`, `+0545`.
    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + pad(minutes / 60, 2) + pad(minutes % 60, 2)
    }
}
