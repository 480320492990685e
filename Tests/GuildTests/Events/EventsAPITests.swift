import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import Guild

@Suite("Circles and events API")
struct EventsAPITests {
    @Test("a circle and its monthly event through the API; RSVP, the waitlist and a private attendee list")
    func lifecycle() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            // setup: Gina starts a circle and plans a first-Wednesday breakfast with one seat
            let circle = try await api(.POST, "/api/v1/circles", token: cast.giverToken,
                                       json: #"{"name":"Leeds Breakfast","city":"Leeds","description":"Coffee and referrals"}"#, on: app)
            #expect(circle.status == .created && circle.body.string.contains("\"slug\":\"leeds-breakfast\""))
            let created = try await api(.POST, "/api/v1/events", token: cast.giverToken, json: """
                {"title":"First Wednesday breakfast","circle":"leeds-breakfast","start":"2027-01-06T08:00:00Z","timeZone":"Europe/London",
                 "capacity":1,"attendeesPublic":false,"place":"The Corner Café",
                 "recurrence":{"frequency":"monthly","days":["WE"],"weekOfMonth":"first","count":3},
                 "agenda":[{"speaker":"Ada","topic":"Referral etiquette"}]}
                """, on: app)
            #expect(created.status == .created)
            struct Event: Decodable { var id: String; var localStart: String; var recurrence: String?; var recurrenceSummary: String?; var agenda: [Agenda] }
            struct Agenda: Decodable { var speaker: String }
            let event = try created.content.decode(Event.self)
            #expect(event.localStart == "2027-01-06T08:00" && event.recurrence == "FREQ=MONTHLY;BYDAY=1WE;COUNT=3")
            #expect(event.recurrenceSummary == "Every month on the first Wednesday, 3 times" && event.agenda.first?.speaker == "Ada")
            #expect(try await app.count("events") == 3)
            // act: two answers for one seat
            let first = try await api(.POST, "/api/v1/events/\(event.id)/rsvp", token: cast.receiverToken, json: #"{"answer":"yes"}"#, on: app)
            #expect(first.status == .ok && first.body.string.contains("\"state\":\"going\""))
            let second = try await api(.POST, "/api/v1/events/\(event.id)/rsvp", token: cast.otherToken, json: #"{"answer":"yes"}"#, on: app)
            #expect(second.body.string.contains("\"state\":\"waitlisted\"") && second.body.string.contains("\"waitlistPosition\":1"))
            // assert: the list is for those going and the organizers, not the waitlist, not the public
            #expect(try await api(.GET, "/api/v1/events/\(event.id)/attendees", token: nil, on: app).status == .unauthorized)
            #expect(try await api(.GET, "/api/v1/events/\(event.id)/attendees", token: cast.otherToken, on: app).status == .forbidden)
            let list = try await api(.GET, "/api/v1/events/\(event.id)/attendees", token: cast.receiverToken, on: app)
            #expect(list.status == .ok && list.body.string.contains("Rob Receiver") && list.body.string.contains("\"state\":\"waitlisted\""))
            #expect(try await api(.GET, "/api/v1/events/\(event.id)/attendees", token: cast.giverToken, on: app).status == .ok)
            // the online link and my answer show only to me
            let mine = try await api(.GET, "/api/v1/events/\(event.id)", token: cast.receiverToken, on: app).body.string
            #expect(mine.contains("\"myAnswer\":\"going\""))
            let listed = try await api(.GET, "/api/v1/events?circle=leeds-breakfast", token: nil, on: app).body.string
            #expect(listed.contains("First Wednesday breakfast"))
            let detail = try await api(.GET, "/api/v1/circles/leeds-breakfast", token: nil, on: app).body.string
            #expect(detail.contains("\"role\":\"organizer\"") && detail.contains("Gina Giver"))
        }
    }

    @Test("bad input names its field; unknown zones and circles are 404; another's circle is 403; check-in before it opens is 409")
    func badInput() async throws {
        try await withGuild { app, _ in
            let cast = try await LedgerCast.make(app)
            _ = try await api(.POST, "/api/v1/circles", token: cast.giverToken, json: #"{"name":"Leeds Breakfast"}"#, on: app)
            let start = #""start":"2027-01-06T08:00:00+00:00""#
            let zone = try await api(.POST, "/api/v1/events", token: cast.giverToken, json: #"{"title":"x",\#(start),"timeZone":"Mars/Olympus"}"#, on: app)
            #expect(zone.status == .notFound && zone.body.string.contains("\"field\":\"timeZone\""))
            let circle = try await api(.POST, "/api/v1/events", token: cast.giverToken, json: #"{"title":"x",\#(start),"timeZone":"UTC","circle":"nope"}"#, on: app)
            #expect(circle.status == .notFound)
            let theirs = try await api(.POST, "/api/v1/events", token: cast.otherToken,
                                       json: #"{"title":"x",\#(start),"timeZone":"UTC","circle":"leeds-breakfast"}"#, on: app)
            #expect(theirs.status == .forbidden)
            let short = try await api(.POST, "/api/v1/events", token: cast.giverToken, json: #"{"title":"x",\#(start),"timeZone":"UTC","minutes":2}"#, on: app)
            #expect(short.status == .badRequest || short.status == .unprocessableEntity)
            let answer = try await api(.POST, "/api/v1/events/\(UUID())/rsvp", token: cast.giverToken, json: #"{"answer":"perhaps"}"#, on: app)
            #expect(answer.status == .badRequest || answer.status == .unprocessableEntity)
            let made = try await api(.POST, "/api/v1/events", token: cast.giverToken, json: #"{"title":"Own event",\#(start),"timeZone":"UTC"}"#, on: app)
            #expect(made.status == .created, "\(made.body.string)")
            struct Event: Decodable { var id: String }
            let id = try made.content.decode(Event.self).id
            let early = try await api(.POST, "/api/v1/events/\(id)/checkins", token: cast.otherToken, json: #"{"code":"ABCDEF"}"#, on: app)
            #expect(early.status == .conflict && early.body.string.contains("check_in_not_open"))
            let notHost = try await api(.POST, "/api/v1/events/\(id)/checkins", token: cast.otherToken,
                                        json: #"{"member":"\#(try cast.receiver.requireID())"}"#, on: app)
            #expect(notHost.status == .forbidden)
            #expect(try await app.count("events") == 1)
        }
    }
}
