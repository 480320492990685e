import Fluent
import SQLKit
import Validation
import Testing
import VaporTesting

@testable import Guild

/// Cover plans in the access matrix. A runbook is read by its member, and by their accepted backups
/// only while their cover is on; organizers and admins never read it. Here "owner" is the person the
/// route is for: the member asked, the member whose plan it is, the backup on duty, or the organizer
/// of the covered member's circle.
extension AccessMatrixTests {
    static let coverRows: [Row] = [
        Row(route: "POST /cover/backups/:backupID/accept", path: { cast in "/cover/backups/\(try await cast.backupAskedOfOwner())/accept" },
            expected: ownerOnlyForm),
        Row(route: "POST /cover/backups/:backupID/decline", path: { cast in "/cover/backups/\(try await cast.backupAskedOfOwner())/decline" },
            expected: ownerOnlyForm),
        Row(route: "POST /cover/backups/:backupID/end", path: { cast in "/cover/backups/\(try await cast.backupAskedByOwner())/end" },
            expected: ownerOnlyForm),
        Row(route: "POST /cover/backups/:backupID/move", body: { _ in ["position": "1"] },
            path: { cast in "/cover/backups/\(try await cast.backupAskedByOwner())/move" }, expected: ownerOnlyForm),
        // Switching someone else's cover on or off: an organizer of one of their circles who allowed it (the owner), or an admin.
        Row(route: "POST /cover/members/:memberID/out", path: { cast in "/cover/members/\(try await cast.circleMember(active: false))/out" },
            expected: coverOrganizerForm),
        Row(route: "POST /cover/members/:memberID/back", path: { cast in "/cover/members/\(try await cast.circleMember(active: true))/back" },
            expected: coverOrganizerForm),
        Row(route: "GET /cover/activations/:activationID", path: { cast in "/cover/activations/\(try await cast.ownersPastCover())" },
            expected: ownerOnlyPage),
        Row(route: "POST /cover/activations/:activationID/thanks", body: { cast in cast.acceptBody },
            path: { cast in "/cover/activations/\(try await cast.ownersPastCover())/thanks" }, expected: ownerOnlyForm),
        // Runbook items: everyone edits only their own runbook, where another's item does not exist.
        Row(route: "POST /cover/runbook/clients/:itemID", body: { _ in ["name": "Renamed client"] },
            path: { cast in "/cover/runbook/clients/\(try await cast.ownersRunbookItem(client: true))" }, expected: ownerOnlyForm),
        Row(route: "POST /cover/runbook/clients/:itemID/delete",
            path: { cast in "/cover/runbook/clients/\(try await cast.ownersRunbookItem(client: true))/delete" }, expected: ownerOnlyForm),
        Row(route: "POST /cover/runbook/duties/:itemID", body: { _ in ["title": "Renamed duty"] },
            path: { cast in "/cover/runbook/duties/\(try await cast.ownersRunbookItem(client: false))" }, expected: ownerOnlyForm),
        Row(route: "POST /cover/runbook/duties/:itemID/delete",
            path: { cast in "/cover/runbook/duties/\(try await cast.ownersRunbookItem(client: false))/delete" }, expected: ownerOnlyForm),
        // Rita is out and the owner is her accepted backup: only the owner reads her runbook and logs work.
        Row(route: "GET /cover/for/:memberID", path: { cast in "/cover/for/\(try await cast.ritaCoveredByOwner())" }, expected: backupOnlyPage),
        Row(route: "POST /cover/for/:memberID/handoffs", body: { _ in ["note": "Sent the Thursday newsletter"] },
            path: { cast in "/cover/for/\(try await cast.ritaCoveredByOwner())/handoffs" }, expected: backupOnlyForm),
        // A trusted contact's link is its own credential: whoever holds it, signed in or not.
        Row(route: "GET /cover/activate/:token", path: { cast in "/cover/activate/\(try await cast.trustedContactToken())" }, expected: Row.all(.ok)),
        Row(route: "POST /cover/activate/:token", path: { cast in "/cover/activate/\(try await cast.trustedContactToken())" },
            expected: Row.all(.ok)),
        Row(route: "POST /api/v1/cover/backups/:id/accept", api: true,
            path: { cast in "/api/v1/cover/backups/\(try await cast.backupAskedOfOwner())/accept" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "POST /api/v1/cover/backups/:id/decline", api: true,
            path: { cast in "/api/v1/cover/backups/\(try await cast.backupAskedOfOwner())/decline" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "POST /api/v1/cover/backups/:id/end", api: true,
            path: { cast in "/api/v1/cover/backups/\(try await cast.backupAskedByOwner())/end" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "POST /api/v1/cover/backups/:id/move", api: true, json: #"{"position":1}"#,
            path: { cast in "/api/v1/cover/backups/\(try await cast.backupAskedByOwner())/move" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "GET /api/v1/cover/runbook/:member", api: true, path: { cast in "/api/v1/cover/runbook/\(try await cast.ritaCoveredByOwner())" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/cover/activations/:id/end", api: true,
            path: { cast in "/api/v1/cover/activations/\(try await cast.circleMembersCover())/end" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .ok]),
        Row(route: "POST /api/v1/cover/activations/:id/thanks", api: true, body: { cast in cast.acceptBody },
            path: { cast in "/api/v1/cover/activations/\(try await cast.ownersPastCover())/thanks" }, expected: ownerOnlyAPI(.noContent)),
    ]

    static let coverOrganizerForm: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden,
                                                        .admin: .seeOther]
    static let backupOnlyPage: [Who: HTTPStatus] = [.anonymous: .seeOther, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .forbidden]
    static let backupOnlyForm: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden,
                                                    .admin: .forbidden]
}

extension AccessMatrixTests.Cast {
    var owner: UUID { get throws { try users[.owner]!.requireID() } }

    /// A fresh member with a profile, for cover relations that must not repeat.
    func coverMember() async throws -> (UUID, String) {
        let (user, profile) = try await Profile.make(name: "Cover Member \(next())", niches: ["payroll services"], on: app)
        return (try user.requireID(), profile.slug)
    }

    /// A fresh member asks the owner to be their backup.
    func backupAskedOfOwner() async throws -> UUID {
        let (member, _) = try await coverMember()
        return try await CoverBackups.ask(member, backupSlug: ownerSlug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
    }

    /// The owner asks a fresh member to be their backup.
    func backupAskedByOwner() async throws -> UUID {
        let (_, slug) = try await coverMember()
        return try await CoverBackups.ask(try owner, backupSlug: slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
    }

    /// A fresh member of a circle the owner organizes; `active`: their cover is on.
    func circleMember(active: Bool) async throws -> UUID {
        let (member, _) = try await coverMember()
        let circle = try await Circles.create(CircleFields(name: "Cover circle \(next())", city: "Leeds"), by: try owner, on: app.db)
        // The matrix makes more circles and covers in a minute than anyone may in a day: the limits have tests of their own.
        try await Throttle.clear("circle-create:\(try owner)", on: app.db)
        try await Circles.join(circle, member, on: app.db)
        // The member allowed this circle's organizers to switch their cover on (off by default; see CoverPlansTests).
        try await CoverSwitchConsents.set([circle.id], for: member, on: app.db)
        if active {
            _ = try await CoverActivations.start(member, by: .member(member), expectedBack: nil, note: "", baseURL: "", cipher: nil, on: app.db)
        }
        return member
    }

    func circleMembersCover() async throws -> UUID {
        let member = try await circleMember(active: true)
        return try #require(try await CoverActivations.active(member, on: app.db)).id
    }

    /// A cover of the owner's that has ended, with a fresh member as the backup who accepted (the thanks body names them).
    func ownersPastCover() async throws -> UUID {
        let (backup, slug) = try await coverMember()
        let request = try await CoverBackups.ask(try owner, backupSlug: slug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
        try await CoverBackups.answer(request, accept: true, by: backup, baseURL: "", on: app.db)
        let id = try await CoverActivations.start(try owner, by: .member(try owner), expectedBack: nil, note: "", baseURL: "", cipher: nil, on: app.db)
        _ = try await CoverActivations.end(try owner, by: users[.owner]!, baseURL: "", on: app.db)
        try await Throttle.clear("cover-start:\(try owner)", on: app.db)
        acceptBody = ["backup": backup.uuidString]
        return id
    }

    /// A client (or duty) in the owner's runbook.
    func ownersRunbookItem(client: Bool) async throws -> String {
        let cipher = try #require(app.runbookCipher)
        let id = "item-\(next())"
        try await Runbooks.update(try owner, cipher: cipher, on: app.db) { document in
            if client {
                document.clients.append(.init(id: id, name: "Client \(id)", email: "", phone: "", inProgress: "", deadline: "", mustHear: ""))
            } else {
                document.duties.append(.init(id: id, title: "Duty \(id)", when: "", steps: ""))
            }
        }
        return id
    }

    /// Rita, out, with the owner as her accepted backup and a runbook written.
    func ritaCoveredByOwner() async throws -> UUID {
        let rita = try resetUser.requireID()
        if try await CoverActivations.active(rita, on: app.db) != nil { return rita }
        let request = try await CoverBackups.ask(rita, backupSlug: ownerSlug, nicheSlug: nil, message: "", baseURL: "", on: app.db)
        try await CoverBackups.answer(request, accept: true, by: try owner, baseURL: "", on: app.db)
        try await Runbooks.save(RunbookDocument(whereThingsLive: "The shared drive, folder Clients"), member: rita,
                                cipher: try #require(app.runbookCipher), on: app.db)
        _ = try await CoverActivations.start(rita, by: .member(rita), expectedBack: nil, note: "", baseURL: "", cipher: app.runbookCipher, on: app.db)
        return rita
    }

    /// A fresh member's trusted contact's link token.
    func trustedContactToken() async throws -> String {
        let (member, _) = try await coverMember()
        let link = try await CoverTrustedContacts.name(member, name: "Tess Trusted", email: "tess\(next())@example.com", baseURL: "", on: app.db)
        return String(link.split(separator: "/").last ?? "")
    }
}
