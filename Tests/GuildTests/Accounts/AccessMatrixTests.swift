import Fluent
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Guild

/// Authorization as a table: every route that takes an id, as anonymous, another member, the owner,
/// an organizer and an admin. The rows are checked against the app's own route table, so a new
/// route with a parameter fails this test until it has a row.
@Suite("Access matrix")
struct AccessMatrixTests {
    enum Who: String, CaseIterable, Sendable { case anonymous, member, owner, organizer, admin }


    struct Row: Sendable {
        var route: String
        var api = false
        var body: @Sendable (Cast) -> [String: String] = { _ in [:] }
        /// An API body that is not all strings.
        var json: String?
        var path: @Sendable (Cast) async throws -> String
        var expected: [Who: HTTPStatus]

        static func all(_ status: HTTPStatus) -> [Who: HTTPStatus] {
            Dictionary(uniqueKeysWithValues: Who.allCases.map { ($0, status) })
        }
    }

    static let organizersOnly: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .forbidden,
                                                     .organizer: .seeOther, .admin: .seeOther]
    static let organizersOnlyAPI: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .forbidden,
                                                        .organizer: .ok, .admin: .ok]
    static let organizersOnlyNoContent: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .forbidden,
                                                              .organizer: .noContent, .admin: .noContent]
    static let adminsOnly: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .forbidden,
                                                 .organizer: .forbidden, .admin: .seeOther]

    static let circleOrganizerPage: [Who: HTTPStatus] = [.anonymous: .seeOther, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .ok]
    static let circleOrganizerForm: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden,
                                                         .admin: .seeOther]
    static let anyMemberForm: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .seeOther, .owner: .seeOther, .organizer: .seeOther,
                                                   .admin: .seeOther]
    static func signedInAPI(_ status: HTTPStatus) -> [Who: HTTPStatus] {
        [.anonymous: .unauthorized, .member: status, .owner: status, .organizer: status, .admin: status]
    }

    static let ownerOnlyPage: [Who: HTTPStatus] = [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]
    static let ownerOnlyForm: [Who: HTTPStatus] = [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound,
                                                   .admin: .notFound]
    static func ownerOnlyAPI(_ status: HTTPStatus) -> [Who: HTTPStatus] {
        [.anonymous: .unauthorized, .member: .notFound, .owner: status, .organizer: .notFound, .admin: .notFound]
    }

    /// Every row: these, and each feature's own file's (`AccessMatrixTests+Cover.swift`).
    static let rows: [Row] = baseRows + coverRows + disciplineRows


    @Test("every route that takes an id has a row, and every row is a route")
    func rowsMatchRoutes() async throws {
        try await withGuild { app, _ in
            let routes = Set(app.routes.all.filter { route in
                route.path.contains { if case .parameter = $0 { true } else if case .catchall = $0 { true } else { false } }
            }.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            let rows = Set(Self.rows.map(\.route))
            #expect(routes.subtracting(rows).isEmpty, "routes with an id and no row: \(routes.subtracting(rows).sorted())")
            #expect(rows.subtracting(routes).isEmpty, "rows for routes that do not exist: \(rows.subtracting(routes).sorted())")
        }
    }

    // Each row builds an app with five signed-in members; `withGuild` lets only a few apps live at
    // once, so a hundred rows no longer exhaust PostgreSQL's connections.
    @Test("each role gets what the table says on every route that takes an id", arguments: rows.map(\.route))
    func matrix(route: String) async throws {
        let row = try #require(Self.rows.first { $0.route == route })
        try await withGuild { app, _ in
            let cast = try await Cast.make(app)
            let method = HTTPMethod(rawValue: String(route.split(separator: " ")[0]))
            for who in Who.allCases {
                let path = try await row.path(cast)
                let status: HTTPStatus
                if row.api {
                    var headers: HTTPHeaders = ["Content-Type": "application/json"]
                    if let token = cast.tokens[who] { headers.bearerAuthorization = .init(token: token) }
                    let encoded = try row.json.map { ByteBuffer(string: $0) } ?? ByteBuffer(data: JSONEncoder().encode(row.body(cast)))
                    let body = method == .GET ? nil : encoded
                    status = try await app.testing().sendRequest(method, path, headers: headers, body: body).status
                } else if method == .GET {
                    status = try await cast.browsers[who]!.get(path).status
                } else {
                    status = try await cast.browsers[who]!.post(path, row.body(cast)).status
                }
                #expect(status == row.expected[who], "\(who.rawValue) on \(route)")
            }
        }
    }
}
