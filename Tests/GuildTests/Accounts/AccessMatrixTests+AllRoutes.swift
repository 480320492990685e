import Fluent
import Foundation
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Guild

/// The access matrix for routes without an id: each is classified, and sent as an anonymous visitor
/// and as a plain signed-in member. The table is checked against the app's own route table, so a new
/// route without a parameter fails `everyRouteWithoutAnIDIsClassified` until it has a class.
extension AccessMatrixTests {
    /// Who a route is for.
    enum Access: String, Sendable {
        /// Anyone: never 401 or 403.
        case public_
        /// Anyone, but the body holds credentials: wrong ones are 401, the route's answer rather than a refusal.
        case credentials
        /// Any signed-in member.
        case member
        /// Signed in, and only for what the member runs or covers (a circle, a cover on duty): a fresh member is refused.
        case owner
        /// Organizers and admins.
        case organizer
        /// Admins.
        case admin
        /// The host's own Prometheus (loopback) or the bearer of GUILD_METRICS_TOKEN: 403 to everyone over the network.
        case operations
        /// A constant path `/api/v1/contacts/{id}` would otherwise catch for this method: 405 to everyone.
        case methodNotAllowed
    }

    /// Every route without a path parameter, keyed as `rowsMatchRoutes` formats routes.
    static let routeClasses: [String: Access] = [
        // Operations: health and ping for anyone, metrics for the host.
        "GET /healthz": .public_,
        "GET /metrics": .operations,
        "GET /ping": .public_,
        // Home, accounts, passwords, settings and notifications.
        "GET /": .public_,
        "GET /signup": .public_,
        "POST /signup": .public_,
        "GET /signin": .public_,
        "POST /signin": .credentials,
        "POST /signout": .public_,
        "GET /password/forgot": .public_,
        "POST /password/forgot": .public_,
        "GET /settings": .member,
        "POST /settings/password": .member,
        "POST /settings/tokens": .member,
        "POST /settings/delete": .member,
        "POST /settings/notifications": .member,
        "GET /notifications": .member,
        "POST /notifications/read-all": .member,
        // The directory, matching and one's own profile.
        "GET /directory": .public_,
        "GET /find": .public_,
        "GET /niches": .public_,
        "GET /profile/edit": .member,
        "POST /profile/edit": .member,
        // Referrals and the requests board.
        "GET /referrals": .member,
        "GET /referrals/export.csv": .member,
        "GET /requests": .member,
        "GET /requests/new": .member,
        "POST /requests": .member,
        // Contacts, follow-ups and their files.
        "GET /contacts": .member,
        "GET /contacts/new": .member,
        "POST /contacts": .member,
        "GET /contacts/import": .member,
        "POST /contacts/import": .member,
        "GET /contacts/export.vcf": .member,
        "GET /contacts/duplicates": .member,
        "GET /contacts/settings": .member,
        "POST /contacts/settings": .member,
        "GET /today": .member,
        // Circles, events, one-to-ones and the personal calendar feed.
        "GET /circles": .public_,
        "GET /circles/new": .member,
        "POST /circles": .member,
        "GET /events": .public_,
        "GET /events/new": .member,
        "POST /events": .member,
        "GET /one-to-ones": .member,
        "GET /one-to-ones/new": .member,
        "POST /one-to-ones": .member,
        "GET /calendar": .member,
        "POST /calendar/feed": .member,
        "POST /calendar/feed/delete": .member,
        // Cover plans: one's own cover and runbook; the circles page is for organizers of a circle.
        "GET /cover": .member,
        "POST /cover/backups": .member,
        "POST /cover/out": .member,
        "POST /cover/back": .member,
        "POST /cover/trusted-contact": .member,
        "POST /cover/trusted-contact/remove": .member,
        "POST /cover/organizers": .member,
        "GET /cover/circles": .owner,
        "GET /cover/runbook": .member,
        "POST /cover/runbook/basics": .member,
        "POST /cover/runbook/clients": .member,
        "POST /cover/runbook/duties": .member,
        // Disciplines and reading.
        "GET /disciplines": .member,
        "POST /disciplines": .member,
        "POST /disciplines/zone": .member,
        "POST /disciplines/pauses": .member,
        "POST /disciplines/partner": .member,
        "GET /disciplines/reading": .member,
        "POST /disciplines/reading": .member,
        "POST /disciplines/implemented": .member,
        "GET /disciplines/export.zip": .member,
        "POST /disciplines/import": .member,
        // Knowledge: posts, the blogroll and the public Atom feed.
        "GET /posts": .public_,
        "GET /posts/new": .member,
        "POST /posts": .member,
        "GET /blogroll": .member,
        "POST /blogroll": .member,
        "GET /blogroll/import": .member,
        "POST /blogroll/import": .member,
        "POST /blogroll/import/confirm": .member,
        "GET /feeds/posts.atom": .public_,
        // Organizers and admins.
        "GET /organize/import": .organizer,
        "POST /organize/import": .organizer,
        "GET /organize/moderation": .organizer,
        "GET /organize/referrals": .organizer,
        "GET /organize/referrals.csv": .organizer,
        "GET /admin": .admin,
        // The API document, and the constant paths that answer 405 for other methods.
        "GET /api/v1/openapi.yaml": .public_,
        "PATCH /api/v1/contacts/export.vcf": .methodNotAllowed,
        "DELETE /api/v1/contacts/export.vcf": .methodNotAllowed,
        "GET /api/v1/contacts/import": .methodNotAllowed,
        "PATCH /api/v1/contacts/import": .methodNotAllowed,
        "DELETE /api/v1/contacts/import": .methodNotAllowed,
        // API: accounts, one's own settings, the directory and matching.
        "POST /api/v1/accounts": .public_,
        "POST /api/v1/tokens": .credentials,
        "GET /api/v1/me": .member,
        "PUT /api/v1/me/profile": .member,
        "GET /api/v1/me/digest": .member,
        "PUT /api/v1/me/digest": .member,
        "GET /api/v1/me/reciprocity": .member,
        "GET /api/v1/members": .public_,
        "GET /api/v1/niches": .public_,
        "POST /api/v1/matches": .public_,
        // API: referrals, requests and notifications.
        "GET /api/v1/referrals": .member,
        "POST /api/v1/referrals": .member,
        "GET /api/v1/referrals/export.csv": .member,
        "GET /api/v1/requests": .member,
        "POST /api/v1/requests": .member,
        "GET /api/v1/notifications": .member,
        // API: knowledge, moderation and the blogroll.
        "GET /api/v1/posts": .public_,
        "POST /api/v1/posts": .member,
        "GET /api/v1/moderation/reports": .organizer,
        "GET /api/v1/moderation/log": .organizer,
        "GET /api/v1/blogroll": .member,
        "POST /api/v1/blogroll": .member,
        // API: contacts and follow-ups.
        "GET /api/v1/contacts": .member,
        "POST /api/v1/contacts": .member,
        "POST /api/v1/contacts/import": .member,
        "GET /api/v1/contacts/export.vcf": .member,
        "GET /api/v1/followups": .member,
        "POST /api/v1/followups": .member,
        // API: circles, events, one-to-ones and the calendar feed.
        "GET /api/v1/circles": .public_,
        "POST /api/v1/circles": .member,
        "GET /api/v1/events": .public_,
        "POST /api/v1/events": .member,
        "GET /api/v1/one-to-ones": .member,
        "POST /api/v1/one-to-ones": .member,
        "POST /api/v1/calendar-feed": .member,
        "DELETE /api/v1/calendar-feed": .member,
        // API: cover plans (a handoff is only the on-duty backup's, for the member named) and disciplines.
        "GET /api/v1/cover/backups": .member,
        "POST /api/v1/cover/backups": .member,
        "GET /api/v1/cover/runbook": .member,
        "PUT /api/v1/cover/runbook": .member,
        "GET /api/v1/cover/activations": .member,
        "POST /api/v1/cover/activations": .member,
        "GET /api/v1/cover/handoffs": .member,
        "POST /api/v1/cover/handoffs": .owner,
        "POST /api/v1/cover/trusted-contact": .member,
        "DELETE /api/v1/cover/trusted-contact": .member,
        "GET /api/v1/disciplines": .member,
        "POST /api/v1/disciplines": .member,
    ]

    /// An API request body.
    struct APIBody: Sendable {
        var contentType = "application/json"
        var text: String
    }

    /// Bodies the API decodes, so that a missing token is what answers (a body that does not decode is 400
    /// before the handler asks who is calling). A member's are made to create little: unknown people, a
    /// blank circle name (so the member never organizes a circle), an id nobody has.
    static let apiBodies: [String: APIBody] = [
        "POST /api/v1/accounts": APIBody(text: "{}"),
        "POST /api/v1/tokens": APIBody(text: #"{"email":"nobody@example.com","password":"not the password"}"#),
        "POST /api/v1/matches": APIBody(text: "{}"),
        "PUT /api/v1/me/profile": APIBody(text: #"{"niches":[{"name":"bookkeeping"}]}"#),
        "PUT /api/v1/me/digest": APIBody(text: #"{"weekly":false}"#),
        "POST /api/v1/referrals": APIBody(text: #"""
            {"to":"no-such-member","clientName":"Clara Client","clientEmail":"clara@example.com","need":"Books before tax season","urgency":"whenever","consent":true}
            """#),
        "POST /api/v1/requests": APIBody(text: #"{"title":"A photographer for a product launch","niches":["bookkeeping"],"city":"Denver"}"#),
        "POST /api/v1/posts": APIBody(text: #"{"kind":"tip","title":"Invoice on the day you finish","body":"Not at the end of the month.","niches":["bookkeeping"]}"#),
        "POST /api/v1/blogroll": APIBody(text: #"{"feedUrl":"https://ledgers.example/atom.xml","reason":"Clear on pricing","niches":["bookkeeping"]}"#),
        "POST /api/v1/contacts": APIBody(text: #"{"name":"Cora Contact"}"#),
        "POST /api/v1/contacts/import": APIBody(contentType: "text/vcard", text: "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Vic Vcard\r\nEND:VCARD\r\n"),
        "POST /api/v1/followups": APIBody(text: #"{"contactId":"00000000-0000-4000-8000-000000000001","purpose":"Coffee?","due":"2030-01-15"}"#),
        "POST /api/v1/circles": APIBody(text: #"{"name":" "}"#),
        "POST /api/v1/events": APIBody(text: #"{"title":"Breakfast","start":"2030-01-15T08:00:00Z","timeZone":"UTC","place":"The Corner Cafe"}"#),
        "POST /api/v1/one-to-ones": APIBody(text: #"{"with":"no-such-member","slots":["2030-01-15T08:00:00Z"],"timeZone":"UTC"}"#),
        "POST /api/v1/cover/backups": APIBody(text: #"{"with":"no-such-member"}"#),
        "PUT /api/v1/cover/runbook": APIBody(text: "{}"),
        "POST /api/v1/cover/activations": APIBody(text: #"{"member":"00000000-0000-4000-8000-000000000001"}"#),
        "POST /api/v1/cover/handoffs": APIBody(text: #"{"member":"00000000-0000-4000-8000-000000000001","note":"Sent the Thursday newsletter"}"#),
        "POST /api/v1/cover/trusted-contact": APIBody(text: #"{"name":"Tess Trusted","email":"tess@example.com"}"#),
        "POST /api/v1/disciplines": APIBody(text: #"{"name":"Writing","kind":"done"}"#),
    ]

    /// Required query parameters: without them the API answers 400 before asking who is calling.
    static let apiQueries: [String: String] = [
        "GET /api/v1/cover/handoffs": "?activation=00000000-0000-4000-8000-000000000001",
    ]

    /// Form fields beyond the CSRF token; every other form is posted empty, which creates nothing.
    static let forms: [String: [String: String]] = [
        "POST /signin": ["email": "nobody@example.com", "password": "not the password"],
    ]

    /// Tables a refused request must leave as they were. Sessions and throttle counters are left out:
    /// signing out and failed sign-ins change them by design.
    static let writeTables = [
        "users", "api_tokens", "password_resets", "profiles", "niches", "referrals", "referral_requests", "request_answers", "testimonials",
        "posts", "post_comments", "post_reports", "post_helpful", "moderation_log", "blog_recommendations", "contacts", "contact_imports",
        "contact_settings", "contact_touches", "followups", "circles", "circle_members", "events", "event_rsvps", "one_to_ones",
        "calendar_feeds", "cover_backups", "cover_activations", "cover_handoffs", "cover_trusted_contacts", "runbooks", "disciplines",
        "discipline_pauses", "discipline_partners", "discipline_settings", "reading_list", "implementations", "notifications",
        "notification_settings", "outbox_messages",
    ]

    static func rowCounts(_ app: Application) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in writeTables { counts[table] = try await app.count(table) }
        return counts
    }

    static func method(of route: String) -> HTTPMethod { HTTPMethod(rawValue: String(route.split(separator: " ")[0])) }

    static func isAPI(_ route: String) -> Bool { route.contains(" /api/") }

    /// Signing out ends the member's session, so it is sent last; the rest in order.
    static func sortKey(_ route: String) -> (Int, String) { (route == "POST /signout" ? 1 : 0, route) }

    /// The refusal a visitor gets on a route of this class, or nil when the route lets them through.
    static func refusal(of access: Access, anonymous: Bool, method: HTTPMethod, api: Bool) -> HTTPStatus? {
        // Not signed in: a page sends the visitor to sign in; a form post and the API answer 401.
        let signInFirst: HTTPStatus = !api && method == .GET ? .seeOther : .unauthorized
        switch access {
        case .public_: return nil
        case .credentials: return .unauthorized
        case .member: return anonymous ? signInFirst : nil
        case .owner, .organizer, .admin: return anonymous ? signInFirst : .forbidden
        case .operations: return .forbidden
        case .methodNotAllowed: return .methodNotAllowed
        }
    }

    /// Sends a route as one visitor: pages and forms through their browser (with CSRF), the API with their bearer token, if any.
    static func send(_ route: String, browser: Browser, token: String?, on app: Application) async throws -> TestingHTTPResponse {
        let verb = Self.method(of: route)
        let path = String(route.split(separator: " ", maxSplits: 1)[1])
        if isAPI(route) {
            let body = apiBodies[route]
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: body?.contentType ?? "application/json")
            if let token { headers.bearerAuthorization = .init(token: token) }
            return try await app.testing().sendRequest(verb, path + (apiQueries[route] ?? ""), headers: headers,
                                                       body: body.map { ByteBuffer(string: $0.text) })
        }
        switch verb {
        case .GET: return try await browser.get(path)
        case .POST: return try await browser.post(path, forms[route] ?? [:])
        default: return try await browser.send(verb, path, body: nil)
        }
    }

    /// A GET to the API, with a bearer token when given.
    static func apiGet(_ path: String, token: String?, on app: Application) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = .init(token: token) }
        return try await app.testing().sendRequest(.GET, path, headers: headers)
    }

    /// An iCalendar body with its folded lines joined again (RFC 5545 folds at 75 octets, maybe inside a URL).
    static func unfolded(_ response: TestingHTTPResponse) -> String {
        response.body.string.replacingOccurrences(of: "\r\n ", with: "")
    }

    @Test("every route without an id is classified, and every class names a route")
    func everyRouteWithoutAnIDIsClassified() async throws {
        try await withGuild { app, _ in
            // setup: the routes without a parameter, formatted as `rowsMatchRoutes` formats them
            let routes = Set(app.routes.all.filter { route in
                route.path.allSatisfy { if case .constant = $0 { true } else { false } }
            }.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            // act
            let classified = Set(Self.routeClasses.keys)
            // assert
            #expect(routes.subtracting(classified).isEmpty, "routes without an id and no class: \(routes.subtracting(classified).sorted())")
            #expect(classified.subtracting(routes).isEmpty, "classes for routes that do not exist: \(classified.subtracting(routes).sorted())")
            // The request tables name classified routes only, so a renamed route cannot leave a stale body behind.
            let extras = Set(Self.apiBodies.keys).union(Self.apiQueries.keys).union(Self.forms.keys).subtracting(classified)
            #expect(extras.isEmpty, "bodies, queries or forms for unclassified routes: \(extras.sorted())")
        }
    }

    @Test("anonymous visitors and plain members get only what each route's class allows, and a refusal writes nothing")
    func everyRouteWithoutAnIDAsAnonymousAndMember() async throws {
        try await withGuild { app, _ in
            // setup: a plain member, signed in once in a browser and holding an API token; a browser that never signs in
            let member = try await User.make(name: "Plain Member", on: app)
            let signedIn = Browser(app)
            try await signedIn.signIn(email: member.email)
            let token = try await APIToken.issue(for: member.requireID(), label: "all routes", on: app.db).1
            #expect(try await signedIn.get("/settings").status == .ok, "the member's browser is signed in")
            let anonymous = Browser(app)
            for route in Self.routeClasses.keys.sorted(by: { Self.sortKey($0) < Self.sortKey($1) }) {
                let access = Self.routeClasses[route]!
                let method = Self.method(of: route)
                for who in [Who.anonymous, .member] {
                    let refusal = Self.refusal(of: access, anonymous: who == .anonymous, method: method, api: Self.isAPI(route))
                    // Public forms are posted empty or with wrong credentials, so they must create nothing either.
                    let checksWrites = refusal != nil || (access == .public_ && method != .GET)
                    var before: [String: Int] = [:]
                    if checksWrites { before = try await Self.rowCounts(app) }
                    // act
                    let response = try await Self.send(route, browser: who == .anonymous ? anonymous : signedIn,
                                                       token: who == .anonymous ? nil : token, on: app)
                    // assert
                    if let refusal {
                        #expect(response.status == refusal, "\(who.rawValue) on \(route) (\(access.rawValue)): \(response.status.code)")
                        if refusal == .seeOther {
                            #expect((response.headers.first(name: .location) ?? "").hasPrefix("/signin"), "\(who.rawValue) on \(route) is sent to sign in")
                        }
                    } else {
                        #expect(response.status != .unauthorized && response.status != .forbidden && response.status.code < 500,
                                "\(who.rawValue) on \(route) (\(access.rawValue)): \(response.status.code)")
                    }
                    if checksWrites {
                        let after = try await Self.rowCounts(app)
                        let changed = Self.writeTables.filter { before[$0] != after[$0] }
                        #expect(changed.isEmpty, "\(who.rawValue) on \(route) wrote to \(changed)")
                    }
                }
            }
        }
    }

    @Test("private downloads refuse strangers, and a 200 carries only what its reader may see")
    func privateDownloadsRefuseStrangers() async throws {
        try await withGuild { app, _ in
            // setup: the owner's referral (Rita's client), contact, discipline, runbook, calendar feed, an online event and posts
            let cast = try await Cast.make(app)
            let owner = cast.users[.owner]!
            let ownerID = try owner.requireID()
            let referral = try await cast.referral()
            _ = try await Contacts.create(ContactDraft(fields: .init(name: "Priya Private", emails: [.init("priya@private.example")])),
                                          owner: ownerID, on: app.db)
            _ = try await Disciplines.create(DisciplineInput(name: "Secret Sketching", kind: "done"), member: ownerID, on: app.db)
            _ = try await Runbooks.save(RunbookDocument(whereThingsLive: "The blue filing cabinet"), member: ownerID,
                                        cipher: try #require(app.runbookCipher), on: app.db)
            let feed = try await CalendarFeeds.reset(ownerID, baseURL: "", on: app.db)
            let feedToken = String(feed.dropFirst("/calendar/".count).dropLast(".ics".count))
            let onlineURL = "https://meet.example/guild-room-7431"
            let zone = TimeZone(identifier: "Europe/London")!
            let event = try await Events.create(
                EventFields(title: "Online office hours", start: EventTimes.local(Date().addingTimeInterval(48 * 3_600), zone: zone), minutes: 60,
                            timeZone: zone.identifier, onlineURL: onlineURL, attendeesPublic: false),
                recurrence: nil, circle: nil, host: ownerID, on: app.db)
            _ = try await Posts.create(PostDraft(kind: "tip", title: "Members only margin trick", body: "Price the second job first.", problem: "",
                                                 approach: "", result: "", niches: ["bookkeeping"], visibility: "members", anonymous: false,
                                                 referralID: nil), by: owner, on: app.db)
            _ = try await Posts.create(PostDraft(kind: "tip", title: "Public pricing tip", body: "Quote the outcome, not the hours.", problem: "",
                                                 approach: "", result: "", niches: ["bookkeeping"], visibility: "public", anonymous: false,
                                                 referralID: nil), by: owner, on: app.db)
            let anonymous = cast.browsers[.anonymous]!, stranger = cast.browsers[.member]!, ownerBrowser = cast.browsers[.owner]!
            let memberToken = cast.tokens[.member]!, ownerToken = cast.tokens[.owner]!, organizerToken = cast.tokens[.organizer]!
            let secrets = ["Clara Client", "clara@example.com", "Priya Private", "priya@private.example", "Secret Sketching",
                           "The blue filing cabinet", feedToken]
            // A visitor is sent to sign in; a plain member is refused organizer and admin pages and gets only their own files.
            let downloads: [(path: String, member: HTTPStatus)] = [
                ("/organize/referrals.csv", .forbidden), ("/admin", .forbidden), ("/contacts/export.vcf", .ok), ("/disciplines/export.zip", .ok),
                ("/cover/runbook", .ok), ("/calendar", .ok), ("/referrals/export.csv", .ok),
            ]
            for (path, memberStatus) in downloads {
                // act
                let visitor = try await anonymous.get(path)
                let member = try await stranger.get(path)
                // assert
                #expect(visitor.status == .seeOther && (visitor.headers.first(name: .location) ?? "").hasPrefix("/signin"),
                        "anonymous on \(path): \(visitor.status.code)")
                #expect(member.status == memberStatus, "member on \(path): \(member.status.code)")
                for secret in secrets {
                    #expect(!visitor.body.string.contains(secret) && !member.body.string.contains(secret), "\(secret) in \(path)")
                }
            }
            // The same files for the people they belong to: the tests above would pass on empty files too.
            #expect(try await ownerBrowser.get("/contacts/export.vcf").body.string.contains("Priya Private"))
            #expect(try await ownerBrowser.get("/disciplines/export.zip").body.string.contains("Secret Sketching"))
            #expect(try await ownerBrowser.get("/cover/runbook").body.string.contains("The blue filing cabinet"))
            #expect(try await ownerBrowser.get("/referrals/export.csv").body.string.contains("Clara Client"))
            #expect(try await cast.browsers[.admin]!.get("/admin").status == .ok)
            // The organizers' export of every referral: flows and values, never the client.
            let report = try await cast.browsers[.organizer]!.get("/organize/referrals.csv")
            #expect(report.status == .ok && report.body.string.contains(referral.uuidString))
            #expect(!report.body.string.contains("Clara Client") && !report.body.string.contains("clara@example.com"))

            // The API's forms of the same files.
            #expect(try await Self.apiGet("/api/v1/contacts/export.vcf", token: nil, on: app).status == .unauthorized)
            let theirCards = try await Self.apiGet("/api/v1/contacts/export.vcf", token: memberToken, on: app)
            #expect(theirCards.status == .ok && !theirCards.body.string.contains("Priya Private"))
            #expect(try await Self.apiGet("/api/v1/contacts/export.vcf", token: ownerToken, on: app).body.string.contains("Priya Private"))
            #expect(try await Self.apiGet("/api/v1/referrals/export.csv?scope=all", token: nil, on: app).status == .unauthorized)
            #expect(try await Self.apiGet("/api/v1/referrals/export.csv?scope=all", token: memberToken, on: app).status == .forbidden)
            let ledger = try await Self.apiGet("/api/v1/referrals/export.csv?scope=all", token: organizerToken, on: app)
            #expect(ledger.status == .ok && ledger.body.string.contains(referral.uuidString) && !ledger.body.string.contains("Clara Client"))
            let theirLedger = try await Self.apiGet("/api/v1/referrals/export.csv", token: memberToken, on: app)
            #expect(theirLedger.status == .ok && !theirLedger.body.string.contains("Clara Client"))
            #expect(try await Self.apiGet("/api/v1/referrals/export.csv", token: ownerToken, on: app).body.string.contains("Clara Client"))
            #expect(try await Self.apiGet("/api/v1/cover/runbook", token: nil, on: app).status == .unauthorized)
            let theirRunbook = try await Self.apiGet("/api/v1/cover/runbook", token: memberToken, on: app)
            #expect(theirRunbook.status == .ok && !theirRunbook.body.string.contains("The blue filing cabinet"))
            #expect(try await Self.apiGet("/api/v1/cover/runbook", token: ownerToken, on: app).body.string.contains("The blue filing cabinet"))

            // An event's .ics, page and JSON: the online link only for those going and those running it (the host here).
            let ics = "/events/\(event.id).ics"
            let visitorFile = try await anonymous.get(ics)
            #expect(visitorFile.status == .ok && visitorFile.body.string.contains("BEGIN:VCALENDAR"))
            #expect(!Self.unfolded(visitorFile).contains(onlineURL), "the online link in an anonymous visitor's .ics")
            let strangerFile = try await stranger.get(ics)
            #expect(strangerFile.status == .ok && !Self.unfolded(strangerFile).contains(onlineURL), "the online link in a stranger's .ics")
            let hostFile = try await ownerBrowser.get(ics)
            #expect(hostFile.status == .ok && Self.unfolded(hostFile).contains(onlineURL), "the host's .ics has the online link")
            #expect(!(try await anonymous.get("/events/\(event.id)").body.string.contains(onlineURL)))
            #expect(try await ownerBrowser.get("/events/\(event.id)").body.string.contains(onlineURL))
            struct EventJSON: Decodable { var onlineUrl: String? }
            let visitorJSON = try await Self.apiGet("/api/v1/events/\(event.id)", token: nil, on: app)
            #expect(try JSONDecoder().decode(EventJSON.self, from: Data(visitorJSON.body.readableBytesView)).onlineUrl == nil)
            let hostJSON = try await Self.apiGet("/api/v1/events/\(event.id)", token: ownerToken, on: app)
            #expect(try JSONDecoder().decode(EventJSON.self, from: Data(hostJSON.body.readableBytesView)).onlineUrl == onlineURL)

            // The public Atom feed and the API's list: a members-only post is for signed-in members.
            let atom = try await anonymous.get("/feeds/posts.atom")
            #expect(atom.status == .ok && atom.body.string.contains("Public pricing tip"))
            #expect(!atom.body.string.contains("Members only margin trick"), "a members-only post in the public feed")
            #expect(!(try await Self.apiGet("/api/v1/posts", token: nil, on: app).body.string.contains("Members only margin trick")))
            #expect(try await Self.apiGet("/api/v1/posts", token: memberToken, on: app).body.string.contains("Members only margin trick"))
        }
    }
}
