import Foundation
import Testing
import VaporTesting

@testable import Guild

@Suite("API date-times: every RFC 3339 form the document allows")
struct RFC3339Tests {
    @Test("offsets up to ±23:59, fractions, lower-case t and z, leap seconds; nonsense refused")
    func grammar() throws {
        let base = try #require(RFC3339.parse("2000-01-01T00:07:31Z"))
        #expect(base == Date(timeIntervalSince1970: 946_685_251))
        // Schemathesis sent this one; Foundation's ISO 8601 parser refused it, so a valid request got a 400.
        #expect(RFC3339.parse("2000-01-01T00:07:31+20:00") == base.addingTimeInterval(-20 * 3_600))
        #expect(RFC3339.parse("2000-01-01T00:07:31-23:59") == base.addingTimeInterval(23 * 3_600 + 59 * 60))
        #expect(RFC3339.parse("2000-01-01t00:07:31.25z") == base.addingTimeInterval(0.25))
        #expect(RFC3339.parse("1998-12-31T23:59:60Z") == Date(timeIntervalSince1970: 915_148_800))
        #expect(RFC3339.parse("2024-02-29T12:00:00+01:00") != nil)
        #expect(RFC3339.parse("1969-07-20T20:17:40Z") == Date(timeIntervalSince1970: -14_182_940))
        for bad in ["2023-02-29T00:00:00Z", "2000-13-01T00:00:00Z", "2000-01-01T24:00:00Z", "2000-01-01T00:00:00+24:00",
                    "2000-01-01T00:00:00", "2000-01-01 00:00:00Z", "2000-01-01T00:00:00.Z", "2000-01-01T00:00:00Zjunk", "tomorrow"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
        // Round trip of what the API writes.
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        #expect(try LenientISO8601Transcoder().decode(LenientISO8601Transcoder().encode(now)) == now)
    }

    @Test("a one-to-one asked for with a +20:00 slot is read, not refused as bad JSON")
    func unusualOffsetReachesTheHandler() async throws {
        try await withGuild { app, _ in
            let (ada, _) = try await Profile.make(name: "Ada Lovelace", niches: ["bookkeeping"], on: app)
            let token = try await APIToken.issue(for: ada.requireID(), label: "t", on: app.db).1
            let response = try await api(.POST, "/api/v1/one-to-ones", token: token,
                                         json: #"{"slots": ["2000-01-01T00:07:31+20:00"], "timeZone": "UTC", "with": "0", "note": ""}"#, on: app)
            // The slot is in the past and nobody is called "0": the handler answers, naming a field.
            #expect(response.status != .badRequest && response.status.code < 500, "\(response.status) \(response.body.string)")
        }
    }
}
