import Fluent
import Formats
import Foundation
import SQLKit
import Validation
import Vapor

/// A one-to-one as stored: proposed with two or three times, then confirmed at one of them (or
/// declined, or cancelled). `sequence` counts the changes a calendar has been sent (RFC 5546).
struct OneToOneRecord: Decodable, Sendable {
    var id: UUID
    var proposer_id: UUID
    var invitee_id: UUID
    var event_id: UUID?
    var note: String
    var place: String
    var status: String
    var starts_at: Date?
    var ends_at: Date?
    var time_zone: String
    var sequence: Int
    var created_at: Date
    var updated_at: Date

    var zone: TimeZone { EventRules.timeZone(time_zone) ?? TimeZone(identifier: "UTC")! }
    var state: OneToOnes.Status { OneToOnes.Status(rawValue: status) ?? .cancelled }

    func other(than viewer: UUID) -> UUID { viewer == proposer_id ? invitee_id : proposer_id }
}

struct OneToOneSlot: Decodable, Sendable {
    var position: Int
    var starts_at: Date
    var ends_at: Date
}

/// Two members meeting after an event ("who was there" → one tap): one proposes up to three times,
/// the other picks one, and both get an iCalendar invitation (`METHOD:REQUEST`, a stable UID,
/// `SEQUENCE` bumped on every change, `METHOD:CANCEL` when called off) that calendars accept. Only
/// the two of them see it: for anyone else, organizers and admins included, it does not exist.
enum OneToOnes {
    /// Whether the two members ever asked each other for a one-to-one.
    static func exchanged(_ a: UUID, _ b: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM one_to_ones
            WHERE (proposer_id = \(bind: a) AND invitee_id = \(bind: b)) OR (proposer_id = \(bind: b) AND invitee_id = \(bind: a))
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }

    enum Status: String, Sendable, Codable { case proposed, confirmed, declined, cancelled }

    static let maxSlots = 3
    static let maxNote = 1_000
    static let maxPlace = 300
    static let minutes = 15...240
    /// Proposals a member may send in a day: enough for everyone met at a big morning, not for spam.
    static let proposalsPerDay = 20

    struct Draft: Sendable {
        var invitee: UUID
        var event: UUID? = nil
        /// Local wall-clock starts (`2027-03-17T08:00`) in `timeZone`, or instants from the API.
        var starts: [Date]
        var minutes: Int
        var timeZone: String
        var place: String
        var note: String
    }

    /// A form's local times as instants in the zone; the first bad one is named by its field (`slot1`…).
    static func instants(_ locals: [String], timeZone: String) throws -> [Date] {
        guard let zone = EventRules.timeZone(timeZone) else { throw EventsError.unknownTimeZone(timeZone) }
        var instants: [Date] = []
        for (index, local) in locals.enumerated() where !local.trimmingWhitespace().isEmpty {
            guard let instant = EventRules.instant(local.trimmingWhitespace(), in: zone) else {
                throw EventsError.invalid(field: "slot\(index + 1)", "Give a date and time like 2027-03-17T08:00 that exists in \(zone.identifier).")
            }
            instants.append(instant)
        }
        return instants
    }

    static func validate(_ draft: Draft, proposer: UUID, now: Date) throws -> Draft {
        var draft = draft
        guard draft.invitee != proposer else { throw EventsError.unavailable(field: "with", "A one-to-one is with someone else.") }
        guard EventRules.timeZone(draft.timeZone) != nil else { throw EventsError.unknownTimeZone(draft.timeZone) }
        guard !draft.starts.isEmpty else { throw EventsError.invalid(field: "slot1", "Offer at least one time.") }
        guard draft.starts.count <= maxSlots else { throw EventsError.invalid(field: "slots", "Offer at most \(maxSlots) times.") }
        guard minutes.contains(draft.minutes) else { throw EventsError.invalid(field: "minutes", "A one-to-one lasts 15 minutes to 4 hours.") }
        for (index, start) in draft.starts.enumerated() {
            guard start > now.addingTimeInterval(15 * 60) else {
                throw EventsError.unavailable(field: "slot\(index + 1)", "Offer a time at least 15 minutes from now.")
            }
            guard start < now.addingTimeInterval(366 * 86_400) else {
                throw EventsError.unavailable(field: "slot\(index + 1)", "Offer a time within the next year.")
            }
        }
        guard Set(draft.starts).count == draft.starts.count else { throw EventsError.unavailable(field: "slots", "Offer different times.") }
        draft.place = draft.place.trimmingWhitespace()
        guard draft.place.unicodeScalars.count <= maxPlace else { throw EventsError.invalid(field: "place", "The place can be at most \(maxPlace) characters.") }
        if !draft.place.isEmpty, let problem = TextRules.lineProblem(draft.place, what: "The place") { throw EventsError.invalid(field: "place", problem) }
        draft.note = draft.note.trimmingWhitespace()
        guard draft.note.unicodeScalars.count <= maxNote else { throw EventsError.invalid(field: "note", "The note can be at most \(maxNote) characters.") }
        if !draft.note.isEmpty, let problem = TextRules.textProblem(draft.note, what: "The note") { throw EventsError.invalid(field: "note", problem) }
        return draft
    }

    // MARK: reading

    /// The one-to-one when the viewer is one of its two members; nil for anyone else.
    static func find(_ id: UUID?, viewer: UUID, on db: any Database) async throws -> OneToOneRecord? {
        guard let id else { return nil }
        return try await db.sql.raw("""
            SELECT * FROM one_to_ones WHERE id = \(bind: id) AND (proposer_id = \(bind: viewer) OR invitee_id = \(bind: viewer))
            """).first(decoding: OneToOneRecord.self)
    }

    static func require(_ id: UUID?, viewer: UUID, on db: any Database) async throws -> OneToOneRecord {
        guard let found = try await find(id, viewer: viewer, on: db) else { throw EventsError.oneToOneNotFound }
        return found
    }

    static func slots(of id: UUID, on db: any Database) async throws -> [OneToOneSlot] {
        try await db.sql.raw("SELECT position, starts_at, ends_at FROM one_to_one_slots WHERE one_to_one_id = \(bind: id) ORDER BY position")
            .all(decoding: OneToOneSlot.self)
    }

    /// The member's one-to-ones, newest change first: open proposals, confirmed ones and the past.
    static func list(of user: UUID, limit: Int = 100, on db: any Database) async throws -> [OneToOneRecord] {
        try await db.sql.raw("""
            SELECT * FROM one_to_ones WHERE proposer_id = \(bind: user) OR invitee_id = \(bind: user)
            ORDER BY updated_at DESC LIMIT \(literal: limit)
            """).all(decoding: OneToOneRecord.self)
    }

    typealias Person = People.Person

    /// The member a profile slug names (the form's and the API's `with`), or nil.
    static func member(slug: String, on db: any Database) async throws -> Person? {
        guard let profile = try await Profile.find(slug: slug, on: db) else { return nil }
        return try await People.byID([profile.$user.id], on: db)[profile.$user.id]
    }

    // MARK: writing

    static func propose(_ raw: Draft, by proposer: UUID, now: Date = Date(), baseURL: String, on db: any Database) async throws -> UUID {
        let draft = try validate(raw, proposer: proposer, now: now)
        let id = UUID()
        try await db.writeTransaction(reportingGeneration: false) { db in
            struct Count: Decodable { var n: Int }
            let recent = try await db.sql.raw("""
                SELECT COUNT(*) AS n FROM one_to_ones WHERE proposer_id = \(bind: proposer) AND created_at > \(bind: now.addingTimeInterval(-86_400))
                """).first(decoding: Count.self)?.n ?? 0
            guard recent < proposalsPerDay else { throw EventsError.tooManyProposals(perDay: proposalsPerDay) }
            let people = try await People.byID([proposer, draft.invitee], on: db)
            guard let invitee = people[draft.invitee], let from = people[proposer] else { throw EventsError.memberNotFound }
            var event: UUID?
            if let asked = draft.event { event = try await Events.find(asked, on: db)?.id }
            try await db.sql.raw("""
                INSERT INTO one_to_ones (id, proposer_id, invitee_id, event_id, note, place, status, starts_at, ends_at, time_zone, sequence, created_at, updated_at)
                VALUES (\(bind: id), \(bind: proposer), \(bind: draft.invitee), \(bind: event), \(bind: draft.note), \(bind: draft.place), 'proposed',
                        NULL, NULL, \(bind: draft.timeZone), 0, \(bind: now), \(bind: now))
                """).run()
            for (index, start) in draft.starts.sorted().enumerated() {
                try await db.sql.raw("""
                    INSERT INTO one_to_one_slots (one_to_one_id, position, starts_at, ends_at)
                    VALUES (\(bind: id), \(bind: index + 1), \(bind: start), \(bind: start.addingTimeInterval(Double(draft.minutes) * 60)))
                    """).run()
            }
            let zone = EventRules.timeZone(draft.timeZone)!
            let times = draft.starts.sorted().map { "- " + EventTimes.describe($0, end: $0.addingTimeInterval(Double(draft.minutes) * 60), zone: zone) }
            try await Notifications.notify(invitee.id, .oneToOne, .init(
                title: "\(from.name) asks for a one-to-one", link: "/one-to-ones/\(id)",
                emailBody: "\(from.name) would like a one-to-one with you. Pick the time that suits you:\n\n\(times.joined(separator: "\n"))"
                    + (draft.place.isEmpty ? "" : "\n\nWhere: \(draft.place)") + (draft.note.isEmpty ? "" : "\n\n\(draft.note)")),
                from: proposer, baseURL: baseURL, on: db)
        }
        return id
    }

    /// The invitee picks one of the times: confirmed, and both get the calendar invitation.
    static func accept(_ id: UUID?, slot position: Int, by user: UUID, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("one-to-one:\(id?.uuidString ?? "")")
            let meeting = try await require(id, viewer: user, on: db)
            guard meeting.invitee_id == user else { throw EventsError.notInvitee }
            guard meeting.state == .proposed else { throw EventsError.settled }
            guard let slot = try await slots(of: meeting.id, on: db).first(where: { $0.position == position }) else {
                throw EventsError.unavailable(field: "slot", "Pick one of the times offered.")
            }
            guard slot.starts_at > Date() else { throw EventsError.unavailable(field: "slot", "That time has passed; ask for new times.") }
            try await db.sql.raw("""
                UPDATE one_to_ones SET status = 'confirmed', starts_at = \(bind: slot.starts_at), ends_at = \(bind: slot.ends_at),
                updated_at = \(bind: Date()) WHERE id = \(bind: meeting.id)
                """).run()
            try await invite(meeting.id, method: .request, headline: "confirmed", by: user, baseURL: baseURL, on: db)
        }
    }

    /// Either of the two moves a confirmed one-to-one: a new time, the sequence bumped, a new invitation.
    static func move(_ id: UUID?, to start: Date, minutes: Int, by user: UUID, baseURL: String, on db: any Database) async throws {
        guard self.minutes.contains(minutes) else { throw EventsError.invalid(field: "minutes", "A one-to-one lasts 15 minutes to 4 hours.") }
        guard start > Date().addingTimeInterval(15 * 60), start < Date().addingTimeInterval(366 * 86_400) else {
            throw EventsError.unavailable(field: "start", "Pick a time from 15 minutes from now to a year ahead.")
        }
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("one-to-one:\(id?.uuidString ?? "")")
            let meeting = try await require(id, viewer: user, on: db)
            guard meeting.state == .confirmed else { throw EventsError.settled }
            try await db.sql.raw("""
                UPDATE one_to_ones SET starts_at = \(bind: start), ends_at = \(bind: start.addingTimeInterval(Double(minutes) * 60)),
                sequence = sequence + 1, updated_at = \(bind: Date()) WHERE id = \(bind: meeting.id)
                """).run()
            // The day-before reminder goes again for the new time.
            try await EventReminders.forget("one_to_one_reminder", subject: meeting.id, on: db)
            try await invite(meeting.id, method: .request, headline: "moved", by: user, baseURL: baseURL, on: db)
        }
    }

    /// The invitee says no to a proposal; the proposer is told (no calendar: nothing was in one).
    static func decline(_ id: UUID?, by user: UUID, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("one-to-one:\(id?.uuidString ?? "")")
            let meeting = try await require(id, viewer: user, on: db)
            guard meeting.invitee_id == user else { throw EventsError.notInvitee }
            guard meeting.state == .proposed else { throw EventsError.settled }
            try await db.sql.raw("UPDATE one_to_ones SET status = 'declined', updated_at = \(bind: Date()) WHERE id = \(bind: meeting.id)").run()
            let names = try await People.byID([user], on: db)
            try await Notifications.notify(meeting.proposer_id, .oneToOne, .init(
                title: "\(names[user]?.name ?? "A member") cannot make a one-to-one now", link: "/one-to-ones/\(meeting.id)",
                emailBody: "None of the times suited. You can ask again another time."), from: user, baseURL: baseURL, on: db)
        }
    }

    /// Either calls it off: a proposal is withdrawn; a confirmed one gets `METHOD:CANCEL` to both calendars.
    static func cancel(_ id: UUID?, by user: UUID, baseURL: String, on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.lock("one-to-one:\(id?.uuidString ?? "")")
            let meeting = try await require(id, viewer: user, on: db)
            switch meeting.state {
            case .confirmed:
                try await db.sql.raw("""
                    UPDATE one_to_ones SET status = 'cancelled', sequence = sequence + 1, updated_at = \(bind: Date()) WHERE id = \(bind: meeting.id)
                    """).run()
                try await invite(meeting.id, method: .cancel, headline: "cancelled", by: user, baseURL: baseURL, on: db)
            case .proposed:
                try await db.sql.raw("UPDATE one_to_ones SET status = 'cancelled', updated_at = \(bind: Date()) WHERE id = \(bind: meeting.id)").run()
                let names = try await People.byID([user], on: db)
                try await Notifications.notify(meeting.other(than: user), .oneToOne, .init(
                    title: "\(names[user]?.name ?? "A member") withdrew a one-to-one request", link: "/one-to-ones/\(meeting.id)",
                    emailBody: "There is nothing to pick any more."), from: user, baseURL: baseURL, on: db)
            case .declined, .cancelled:
                throw EventsError.settled
            }
        }
    }
}

extension OneToOnes {
    /// A member's one-to-ones that belong in their calendar (confirmed, or cancelled so calendars drop
    /// them), ending after `since`, first first; at most 500.
    static func inCalendar(of user: UUID, endingAfter since: Date, on db: any Database) async throws -> [OneToOneRecord] {
        try await db.sql.raw("""
            SELECT * FROM one_to_ones WHERE (proposer_id = \(bind: user) OR invitee_id = \(bind: user))
            AND status IN ('confirmed', 'cancelled') AND starts_at IS NOT NULL AND ends_at >= \(bind: since)
            ORDER BY starts_at LIMIT 500
            """).all(decoding: OneToOneRecord.self)
    }
}
