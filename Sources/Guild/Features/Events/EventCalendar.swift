import Fluent
import Formats
import Foundation
import SQLKit
import Vapor

/// Events as iCalendar: one event's file, and a circle's feed (each series once, with its RRULE, the
/// dates called off as EXDATE and the dates edited on their own as RECURRENCE-ID overrides; single
/// events as they are).
enum EventCalendar {
    static func uid(_ id: UUID, baseURL: String) -> String {
        "event-\(id.uuidString.lowercased())@" + (URL(string: baseURL)?.host ?? "guild")
    }

    /// A date as one VEVENT; a series' first row carries the rule when `asSeries`. The online link is
    /// written only when `showOnline` (the reader is going or manages it), as on the event's page.
    static func calendarEvent(_ event: EventRecord, asSeries: Bool, cancelledDates: [Date], circleName: String?, showOnline: Bool,
                              baseURL: String) -> CalendarEvent {
        let rule = asSeries ? event.recurrence.flatMap { try? Recurrence(parsing: $0) } : nil
        var description = event.description
        if let circleName { description = "\(circleName)\n\n" + description }
        if !event.online_url.isEmpty {
            description += showOnline ? "\n\nJoin online: \(event.online_url)" : "\n\nOnline: the link shows on the event's page to those going."
        }
        description += "\n\n\(baseURL)/events/\(event.id)"
        var exceptions = cancelledDates
        // In a series, the first date called off is an exception, not the end of the series.
        if rule != nil && event.isCancelled { exceptions.append(event.occurrence) }
        // A series is written from its rule's first date; if that date was moved, an override says so.
        let start = rule != nil ? event.occurrence : event.starts_at
        return CalendarEvent(
            uid: uid(event.id, baseURL: baseURL), sequence: event.sequence, stamp: event.updated_at,
            start: start, end: start.addingTimeInterval(event.ends_at.timeIntervalSince(event.starts_at)), timeZone: event.zone,
            summary: event.title, description: description.trimmingCharacters(in: .whitespacesAndNewlines),
            location: !event.place.isEmpty ? event.place : event.online_url.isEmpty ? "" : showOnline ? event.online_url : "Online", url: "\(baseURL)/events/\(event.id)",
            status: event.isCancelled && rule == nil ? .cancelled : .confirmed, recurrence: rule, exceptions: exceptions)
    }

    /// One date's file: what "Add to calendar" on the event page downloads.
    static func file(for event: EventRecord, showOnline: Bool, on db: any Database, baseURL: String) async throws -> String {
        let circle = try await Circles.of(event: event, on: db)
        return ICalendar.write([calendarEvent(event, asSeries: false, cancelledDates: [], circleName: circle?.name, showOnline: showOnline,
                                              baseURL: baseURL)],
                               method: .publish, name: event.title)
    }

    /// A circle's feed: its events from 90 days back, each series written once.
    static func feed(for circle: CircleRecord, now: Date = Date(), on db: any Database, baseURL: String) async throws -> String {
        let rows = try await db.sql.raw("""
            SELECT * FROM events WHERE circle_id = \(bind: circle.id) AND series_id IS NULL
            AND (ends_at >= \(bind: now.addingTimeInterval(-90 * 86_400)) OR recurrence IS NOT NULL)
            ORDER BY starts_at LIMIT 500
            """).all(decoding: EventRecord.self)
        let series = rows.filter { $0.recurrence != nil }.map(\.id)
        let cancelled = try await Events.cancelledDates(ofSeries: series, on: db)
        let edited = try await Events.editedDates(ofSeries: series, on: db)
        var events: [CalendarEvent] = []
        for row in rows {
            events.append(calendarEvent(row, asSeries: true, cancelledDates: cancelled[row.id] ?? [], circleName: circle.name, showOnline: false,
                                        baseURL: baseURL))
            // Dates edited on their own: the series' UID, RECURRENCE-ID naming the rule's date, their own times and place.
            for date in edited[row.id] ?? [] {
                var override = calendarEvent(date, asSeries: false, cancelledDates: [], circleName: circle.name, showOnline: false, baseURL: baseURL)
                override.uid = uid(row.id, baseURL: baseURL)
                override.recurrenceID = date.occurrence
                events.append(override)
            }
        }
        return ICalendar.write(events, method: .publish, name: circle.name)
    }

    static func response(_ body: String, filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(filename).ics\"")
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }
}
