import Fluent
import SQLKit

/// Circles and events. Circles are open groups: members with a role (member or organizer),
/// invitations by email (hashed tokens), and a log of removals with their reason. Events belong to
/// a circle or to a member; a recurring event is its first row (carrying the RRULE) plus one row per
/// later occurrence (`series_id`), made ahead of time, so RSVPs, agenda, check-ins and cancellation
/// are each per date. RSVPs keep the waitlist order; `going` counts the seats taken, kept in the same
/// transaction as the RSVPs under a per-event lock. One-to-ones are proposed with two or three slots.
/// Personal calendar feeds have a hashed secret. `event_notices` records each reminder or notice sent,
/// so two servers never send one twice. Contacts gain the event where they were met.
struct CreateEvents: AsyncMigration {
    var name: String { "030_CreateEvents" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE circles (
                id UUID PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                description TEXT NOT NULL, description_html TEXT NOT NULL,
                city TEXT NOT NULL, online BOOLEAN NOT NULL,
                member_count INTEGER NOT NULL,
                created_by UUID REFERENCES users (id) ON DELETE SET NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX circles_name ON circles (name, id)").run()
        try await sql.raw("""
            CREATE TABLE circle_members (
                circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                role TEXT NOT NULL, joined_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (circle_id, user_id))
            """).run()
        try await sql.raw("CREATE INDEX circle_members_user ON circle_members (user_id)").run()
        try await sql.raw("""
            CREATE TABLE circle_invitations (
                id UUID PRIMARY KEY,
                circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
                email TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                invited_by UUID REFERENCES users (id) ON DELETE SET NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, accepted_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("CREATE INDEX circle_invitations_circle ON circle_invitations (circle_id, created_at)").run()
        try await sql.raw("""
            CREATE TABLE circle_removals (
                id UUID PRIMARY KEY,
                circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                removed_by UUID REFERENCES users (id) ON DELETE SET NULL,
                reason TEXT NOT NULL, removed_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE events (
                id UUID PRIMARY KEY,
                circle_id UUID REFERENCES circles (id) ON DELETE CASCADE,
                host_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                series_id UUID REFERENCES events (id) ON DELETE CASCADE,
                title TEXT NOT NULL, description TEXT NOT NULL, description_html TEXT NOT NULL,
                starts_at \(unsafeRaw: timestamp) NOT NULL, ends_at \(unsafeRaw: timestamp) NOT NULL,
                time_zone TEXT NOT NULL, place TEXT NOT NULL, online_url TEXT NOT NULL,
                capacity INTEGER, going INTEGER NOT NULL, recurrence TEXT,
                attendees_public BOOLEAN NOT NULL, checkin_code TEXT NOT NULL,
                status TEXT NOT NULL, cancel_reason TEXT NOT NULL, sequence INTEGER NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX events_upcoming ON events (starts_at, id)").run()
        try await sql.raw("CREATE INDEX events_circle ON events (circle_id, starts_at)").run()
        try await sql.raw("CREATE INDEX events_host ON events (host_id, starts_at)").run()
        try await sql.raw("CREATE UNIQUE INDEX events_series_date ON events (series_id, starts_at)").run()
        try await sql.raw("""
            CREATE TABLE event_agenda_items (
                id UUID PRIMARY KEY,
                event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                position INTEGER NOT NULL, speaker TEXT NOT NULL, topic TEXT NOT NULL,
                speaker_cancelled BOOLEAN NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX event_agenda_event ON event_agenda_items (event_id, position)").run()
        try await sql.raw("""
            CREATE TABLE event_rsvps (
                event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                answer TEXT NOT NULL, waitlisted_at \(unsafeRaw: timestamp),
                answered_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (event_id, user_id))
            """).run()
        try await sql.raw("CREATE INDEX event_rsvps_user ON event_rsvps (user_id, answer)").run()
        try await sql.raw("CREATE INDEX event_rsvps_waitlist ON event_rsvps (event_id, waitlisted_at)").run()
        try await sql.raw("""
            CREATE TABLE event_checkins (
                event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                checked_in_by UUID REFERENCES users (id) ON DELETE SET NULL,
                checked_in_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (event_id, user_id))
            """).run()
        try await sql.raw("CREATE INDEX event_checkins_user ON event_checkins (user_id)").run()
        try await sql.raw("""
            CREATE TABLE one_to_ones (
                id UUID PRIMARY KEY,
                proposer_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                invitee_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                event_id UUID REFERENCES events (id) ON DELETE SET NULL,
                note TEXT NOT NULL, place TEXT NOT NULL, status TEXT NOT NULL,
                starts_at \(unsafeRaw: timestamp), ends_at \(unsafeRaw: timestamp), time_zone TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX one_to_ones_proposer ON one_to_ones (proposer_id, updated_at)").run()
        try await sql.raw("CREATE INDEX one_to_ones_invitee ON one_to_ones (invitee_id, updated_at)").run()
        try await sql.raw("CREATE INDEX one_to_ones_start ON one_to_ones (status, starts_at)").run()
        try await sql.raw("""
            CREATE TABLE one_to_one_slots (
                one_to_one_id UUID NOT NULL REFERENCES one_to_ones (id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                starts_at \(unsafeRaw: timestamp) NOT NULL, ends_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (one_to_one_id, position))
            """).run()
        try await sql.raw("""
            CREATE TABLE calendar_feeds (
                user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE, created_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE event_notices (
                kind TEXT NOT NULL, subject_id UUID NOT NULL, user_id UUID NOT NULL,
                sent_at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (kind, subject_id, user_id))
            """).run()
        try await sql.raw("ALTER TABLE contacts ADD COLUMN met_event_id UUID REFERENCES events (id) ON DELETE SET NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("ALTER TABLE contacts DROP COLUMN met_event_id").run()
        for table in ["event_notices", "calendar_feeds", "one_to_one_slots", "one_to_ones", "event_checkins", "event_rsvps",
                      "event_agenda_items", "events", "circle_removals", "circle_invitations", "circle_members", "circles"] {
            try await database.sql.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
    }
}
