import Fluent
import Foundation
import Habits
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// Disciplines in the access matrix: a member's own, seen by them and by their accepted partner only;
/// organizers and admins never. Here "owner" is the member whose discipline, pause, book or
/// partnership it is, or the partner a fresh member asked (and, for the partner's view, accepted).
extension AccessMatrixTests {
    static let disciplineRows: [Row] = [
        Row(route: "GET /disciplines/:disciplineID", path: { cast in "/disciplines/\(try await cast.ownersDiscipline())" }, expected: ownerOnlyPage),
        Row(route: "POST /disciplines/:disciplineID", body: { _ in ["name": "Renamed", "kind": "done"] },
            path: { cast in "/disciplines/\(try await cast.ownersDiscipline())" }, expected: ownerOnlyForm),
        Row(route: "POST /disciplines/:disciplineID/delete", path: { cast in "/disciplines/\(try await cast.ownersDiscipline())/delete" },
            expected: ownerOnlyForm),
        Row(route: "POST /disciplines/:disciplineID/days", body: { _ in ["done": "yes"] },
            path: { cast in "/disciplines/\(try await cast.ownersDiscipline())/days" }, expected: ownerOnlyForm),
        Row(route: "POST /disciplines/pauses/:pauseID/delete", path: { cast in "/disciplines/pauses/\(try await cast.ownersPause())/delete" },
            expected: ownerOnlyForm),
        Row(route: "POST /disciplines/partner/:partnerID/accept", path: { cast in "/disciplines/partner/\(try await cast.partnerAskOfOwner())/accept" },
            expected: ownerOnlyForm),
        Row(route: "POST /disciplines/partner/:partnerID/decline", path: { cast in "/disciplines/partner/\(try await cast.partnerAskOfOwner())/decline" },
            expected: ownerOnlyForm),
        Row(route: "POST /disciplines/partner/:partnerID/end", path: { cast in "/disciplines/partner/\(try await cast.partnerAskOfOwner())/end" },
            expected: ownerOnlyForm),
        // The owner is the accepted partner of a fresh member: only they see and cheer.
        Row(route: "GET /disciplines/of/:memberID", path: { cast in "/disciplines/of/\(try await cast.memberPartneredByOwner())" }, expected: ownerOnlyPage),
        Row(route: "POST /disciplines/of/:memberID/cheer", path: { cast in "/disciplines/of/\(try await cast.memberPartneredByOwner())/cheer" },
            expected: ownerOnlyForm),
        Row(route: "POST /disciplines/reading/:bookID", body: { _ in ["title": "Renamed book", "status": "read"] },
            path: { cast in "/disciplines/reading/\(try await cast.ownersBook())" }, expected: ownerOnlyForm),
        Row(route: "POST /disciplines/reading/:bookID/delete", path: { cast in "/disciplines/reading/\(try await cast.ownersBook())/delete" },
            expected: ownerOnlyForm),
        Row(route: "POST /disciplines/implemented/:implementationID/delete",
            path: { cast in "/disciplines/implemented/\(try await cast.ownersImplementation())/delete" }, expected: ownerOnlyForm),
        Row(route: "DELETE /api/v1/disciplines/:id", api: true, path: { cast in "/api/v1/disciplines/\(try await cast.ownersDiscipline())" },
            expected: ownerOnlyAPI(.noContent)),
        Row(route: "PUT /api/v1/disciplines/:id/days/:date", api: true, json: #"{"done":true,"note":"Did it"}"#,
            path: { cast in "/api/v1/disciplines/\(try await cast.ownersDiscipline())/days/\(Day(Date(), in: TimeZone(identifier: "UTC")!).iso)" },
            expected: ownerOnlyAPI(.ok)),
        Row(route: "GET /api/v1/disciplines/:id/stats", api: true, path: { cast in "/api/v1/disciplines/\(try await cast.ownersDiscipline())/stats" },
            expected: ownerOnlyAPI(.ok)),
    ]
}

extension AccessMatrixTests.Cast {
    func ownersDiscipline() async throws -> UUID {
        try await Disciplines.create(DisciplineInput(name: "Writing \(next())", kind: "done"), member: try owner, on: app.db)
    }

    func ownersPause() async throws -> UUID {
        let today = Day(Date(), in: TimeZone(identifier: "UTC")!)
        return try await DisciplinePauses.create(try owner, from: today.iso, through: today.iso, reason: "illness", note: "", today: today, on: app.db)
    }

    /// A fresh member asks the owner to be their partner.
    func partnerAskOfOwner() async throws -> UUID {
        let (member, _) = try await coverMember()
        return try await DisciplinePartners.ask(member, partnerSlug: ownerSlug, message: "", baseURL: "", on: app.db)
    }

    /// A fresh member whose accepted partner the owner is.
    func memberPartneredByOwner() async throws -> UUID {
        let (member, _) = try await coverMember()
        let ask = try await DisciplinePartners.ask(member, partnerSlug: ownerSlug, message: "", baseURL: "", on: app.db)
        try await DisciplinePartners.answer(ask, accept: true, by: try owner, baseURL: "", on: app.db)
        return member
    }

    func ownersBook() async throws -> UUID {
        try await Reading.saveBook(nil, member: try owner, title: "Book \(next())", author: "", status: "to_read", notes: "", on: app.db)
    }

    func ownersImplementation() async throws -> UUID {
        try await Reading.addImplementation(member: try owner, title: "Tried \(next())", what: "Did a thing", result: "", book: nil,
                                            today: Day(Date(), in: TimeZone(identifier: "UTC")!), on: app.db)
    }
}
