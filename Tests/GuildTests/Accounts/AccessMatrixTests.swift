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

    /// Everyone involved, signed in once.
    final class Cast: @unchecked Sendable {
        let app: Application
        var users: [Who: User] = [:]
        var browsers: [Who: Browser] = [:]
        var tokens: [Who: String] = [:]
        var ownerSlug = ""
        /// Whose password the reset rows set (resetting the owner would sign the owner's browser out).
        var resetUser: User!
        var counter = 0
        /// The comment the accept row's path just made, for its body.
        var acceptBody: [String: String] = [:]

        init(app: Application) { self.app = app }

        func next() -> Int { counter += 1; return counter }

        static func make(_ app: Application) async throws -> Cast {
            let cast = Cast(app: app)
            for who in Who.allCases where who != .anonymous {
                let role: Role = who == .organizer ? .organizer : who == .admin ? .admin : .member
                let (user, profile) = try await Profile.make(name: "\(who.rawValue.capitalized) Person", niches: ["bookkeeping"],
                                                             role: role, on: app)
                cast.users[who] = user
                if who == .owner { cast.ownerSlug = profile.slug }
                let browser = Browser(app)
                try await browser.signIn(email: user.email)
                cast.browsers[who] = browser
                cast.tokens[who] = try await APIToken.issue(for: user.requireID(), label: "matrix", on: app.db).1
            }
            cast.browsers[.anonymous] = Browser(app)
            cast.resetUser = try await User.make(name: "Rita Reset", on: app)
            // Accounts a week old: a first day's tighter posting limits are tested on their own.
            try await app.db.sql.raw("UPDATE users SET created_at = \(bind: Date().addingTimeInterval(-7 * 86_400))").run()
            cast.resetUser.createdAt = Date().addingTimeInterval(-7 * 86_400)
            for who in cast.users.keys { cast.users[who]!.createdAt = Date().addingTimeInterval(-7 * 86_400) }
            return cast
        }

        /// A referral from Rita to the owner (the owner is its receiver); `declined` ones may be passed on by Rita only.
        func referral(status: String = "new") async throws -> UUID {
            let id = UUID(), now = Date()
            try await app.db.sql.raw("""
                INSERT INTO referrals (id, giver_id, receiver_id, client_name, client_email, client_phone, need, note, urgency, status,
                    created_at, updated_at)
                VALUES (\(bind: id), \(bind: try resetUser.requireID()), \(bind: try users[.owner]!.requireID()), 'Clara Client',
                    'clara@example.com', '', 'books', '', 'whenever', \(bind: status), \(bind: now), \(bind: now))
                """).run()
            return id
        }

        /// A testimonial from Rita about the owner, on a won referral.
        func testimonial() async throws -> UUID {
            let referral = try await referral(status: "won")
            let id = UUID()
            try await app.db.sql.raw("""
                INSERT INTO testimonials (id, referral_id, author_id, subject_id, text, niche, hidden, created_at)
                VALUES (\(bind: id), \(bind: referral), \(bind: try resetUser.requireID()), \(bind: try users[.owner]!.requireID()),
                    'Great work', 'Bookkeeping', \(bind: false), \(bind: Date()))
                """).run()
            return id
        }

        /// An open request on the board, posted by the owner.
        func request() async throws -> UUID {
            var draft = RequestDraft(title: "A photographer for a launch", details: "", niches: ["bookkeeping"], city: "Denver", remote: false)
            draft.title += " \(next())"
            return try await ReferralRequests.create(draft, by: users[.owner]!, on: app.db)
        }

        /// A public tip by the owner.
        func post() async throws -> UUID {
            try await Posts.create(PostDraft(kind: "tip", title: "Tip \(next())", body: "Invoice early.", problem: "", approach: "", result: "",
                                             niches: ["bookkeeping"], visibility: "public", anonymous: false, referralID: nil),
                                   by: users[.owner]!, on: app.db)
        }

        /// A comment by Rita on a post of the owner's (a question, when `question`); the owner's own
        /// comment when `byOwner`.
        func comment(question: Bool = false, byOwner: Bool = false) async throws -> (post: UUID, comment: UUID) {
            let post = question ? try await Posts.create(
                PostDraft(kind: "question", title: "Question \(next())", body: "Which ledger?", problem: "", approach: "", result: "",
                          niches: ["bookkeeping"], visibility: "public", anonymous: false, referralID: nil), by: users[.owner]!, on: app.db)
                : try await self.post()
            let comment = try await Comments.create(on: post, parent: nil, body: "A thought \(next())", by: byOwner ? users[.owner]! : resetUser,
                                                    baseURL: "http://localhost", on: app.db)
            return (post, comment)
        }

        /// A blog the owner recommends.
        func recommendation() async throws -> UUID {
            try await Blogroll.recommend(BlogDraft(feedURL: "https://blog\(next()).example/feed", siteURL: "", title: "", reason: "Good",
                                                   niches: ["bookkeeping"], own: false), by: users[.owner]!, on: app.db)
        }

        /// An open report by Rita on a comment under the owner's post.
        func report() async throws -> UUID {
            let (post, comment) = try await comment()
            try await Moderation.report(post, comment: comment, reason: "Spam", by: resetUser, on: app.db)
            struct Row: Decodable { var id: UUID }
            return try await app.db.sql.raw("SELECT id FROM post_reports WHERE comment_id = \(bind: comment)").first(decoding: Row.self)!.id
        }

        /// A notification of the owner's.
        func notification() async throws -> UUID {
            let id = UUID()
            try await app.db.sql.raw("""
                INSERT INTO notifications (id, user_id, kind, title, link, created_at)
                VALUES (\(bind: id), \(bind: try users[.owner]!.requireID()), 'referral_received', 'A note', '/referrals', \(bind: Date()))
                """).run()
            return id
        }

        /// A contact of the owner's, with an email address.
        func contact() async throws -> UUID {
            try await Contacts.create(ContactDraft(fields: .init(name: "Cora Contact \(next())", emails: [.init("cora\(counter)@example.com")])),
                                      owner: users[.owner]!.requireID(), on: app.db)
        }

        /// A follow-up on one of the owner's contacts.
        func followUp() async throws -> UUID {
            try await FollowUps.create(contact: try await contact(), purpose: "Coffee?", due: FollowUps.day(), owner: users[.owner]!.requireID(), on: app.db)
        }

        /// An email the owner sent to one of their contacts.
        func contactEmail() async throws -> (contact: UUID, email: UUID) {
            let contact = try await contact()
            let email = try await ContactMail.send(.init(subject: "Hello", body: "Coffee?"), contact: contact, followUp: nil, from: users[.owner]!,
                                                   config: app.guildConfig, on: app.db)
            return (contact, email)
        }

        /// A CSV upload of the owner's waiting for its column mapping.
        func contactImport() async throws -> UUID {
            let id = UUID()
            try await app.db.sql.raw("""
                INSERT INTO contact_imports (id, owner_id, filename, content, created_at)
                VALUES (\(bind: id), \(bind: try users[.owner]!.requireID()), 'c.csv', 'Name,Email\r\nCy,cy@example.com\r\n', \(bind: Date()))
                """).run()
            return id
        }

        /// A circle the owner organizes, with Rita as a member.
        func circle() async throws -> CircleRecord {
            let circle = try await Circles.create(CircleFields(name: "Matrix circle \(next())", city: "Leeds"), by: users[.owner]!.requireID(), on: app.db)
            try await Circles.join(circle, resetUser.requireID(), on: app.db)
            return circle
        }

        /// An event the owner hosts, `hours` from now, whose attendee list is private.
        func event(hours: Double = 48) async throws -> EventRecord {
            try await makeEvent("Matrix event \(next())", host: users[.owner]!, hours: hours, attendeesPublic: false, on: app)
        }

        /// An event under way, where the owner and Rita checked in.
        func eventUnderWay() async throws -> EventRecord {
            let event = try await event(hours: -0.5)
            for user in [users[.owner]!, resetUser!] {
                try await Attendance.checkIn(event, user.requireID(), by: users[.owner]!.requireID(), code: nil, on: app.db)
            }
            return event
        }

        /// A one-to-one between the owner and Rita: asked by the owner, or (`toOwner`) asked of the owner; `confirmed` at its only time.
        func oneToOne(toOwner: Bool = false, confirmed: Bool = false) async throws -> UUID {
            let owner = try users[.owner]!.requireID(), rita = try resetUser.requireID()
            let id = try await OneToOnes.propose(
                .init(invitee: toOwner ? owner : rita, starts: [Date().addingTimeInterval(48 * 3_600)], minutes: 30, timeZone: "UTC", place: "", note: ""),
                by: toOwner ? rita : owner, baseURL: "http://localhost", on: app.db)
            if confirmed { try await OneToOnes.accept(id, slot: 1, by: toOwner ? owner : rita, baseURL: "http://localhost", on: app.db) }
            return id
        }

        /// The path of a personal calendar feed (a fresh member's each time: making one revokes the last).
        func calendarFeed() async throws -> String {
            let user = try await User.make(name: "Feed \(next())", on: app)
            return try await CalendarFeeds.reset(user.requireID(), baseURL: "", on: app.db)
        }

        /// A niche members typed, fresh for each request that may merge it away.
        func freshNiche() async throws -> String {
            try await NicheResolver.findOrCreate("matrix niche \(next())", on: app.db).slug
        }
    }

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

    static let rows: [Row] = [
        // A reset link is its own credential: whoever holds it may use it, signed in or not.
        Row(route: "GET /password/reset/:token",
            path: { cast in "/password/reset/" + (try await PasswordReset.issue(for: cast.resetUser.requireID(), purpose: .reset, on: cast.app.db)) },
            expected: Row.all(.ok)),
        Row(route: "POST /password/reset/:token", body: { _ in ["password": "a brand new password"] },
            path: { cast in "/password/reset/" + (try await PasswordReset.issue(for: cast.resetUser.requireID(), purpose: .reset, on: cast.app.db)) },
            expected: Row.all(.seeOther)),
        Row(route: "GET /n/:slug", path: { _ in "/n/bookkeeping" }, expected: Row.all(.ok)),
        Row(route: "POST /n/:slug/merge", body: { _ in ["into": "bookkeeping"] },
            path: { cast in "/n/\(try await cast.freshNiche())/merge" }, expected: organizersOnly),
        Row(route: "POST /n/:slug/synonyms", body: { cast in ["synonym": "matrix synonym \(cast.next())"] },
            path: { _ in "/n/bookkeeping/synonyms" }, expected: organizersOnly),
        Row(route: "GET /m/:slug", path: { cast in "/m/\(cast.ownerSlug)" }, expected: Row.all(.ok)),
        // The owner is sent to their own edit page; anonymous visitors to the sign-in page.
        Row(route: "GET /m/:slug/edit", path: { cast in "/m/\(cast.ownerSlug)/edit" },
            expected: [.anonymous: .seeOther, .member: .forbidden, .owner: .seeOther, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /m/:slug/edit", body: { _ in ["niche1": "bookkeeping", "headline": "Edited"] },
            path: { cast in "/m/\(cast.ownerSlug)/edit" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .seeOther, .admin: .seeOther]),
        // Someone else's token is answered like a token that does not exist, even for an admin.
        Row(route: "POST /settings/tokens/:tokenID/revoke",
            path: { cast in
                let (token, _) = try await APIToken.issue(for: cast.users[.owner]!.requireID(), label: "cell \(cast.next())", on: cast.app.db)
                return "/settings/tokens/\(try token.requireID())/revoke"
            },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /admin/users/:userID/role", body: { _ in ["role": "member"] },
            path: { cast in "/admin/users/\(try cast.users[.owner]!.requireID())/role" }, expected: adminsOnly),
        Row(route: "POST /admin/outbox/:messageID/retry",
            path: { cast in
                try await Outbox.enqueue(to: cast.users[.owner]!.email, subject: "cell \(cast.next())", body: "b", on: cast.app.db)
                let message = try #require(try await OutboxMessage.query(on: cast.app.db).sort(\.$createdAt, .descending).first())
                message.status = .failed
                try await message.save(on: cast.app.db)
                return "/admin/outbox/\(try message.requireID())/retry"
            },
            expected: adminsOnly),
        // Referring a client: any signed-in member to anyone but themselves (the owner is sent back with an error).
        Row(route: "GET /m/:slug/refer", path: { cast in "/m/\(cast.ownerSlug)/refer" },
            expected: [.anonymous: .seeOther, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /m/:slug/refer",
            body: { _ in ["clientName": "Clara", "clientEmail": "clara@example.com", "need": "books", "urgency": "whenever", "consent": "yes"] },
            path: { cast in "/m/\(cast.ownerSlug)/refer" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .unprocessableEntity, .organizer: .seeOther, .admin: .seeOther]),
        // A referral's client details: its giver, its receiver (the owner here) and admins; everyone else is told it does not exist.
        Row(route: "GET /referrals/:referralID", path: { cast in "/referrals/\(try await cast.referral())" },
            expected: [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .ok]),
        Row(route: "POST /referrals/:referralID/transitions", body: { _ in ["to": "accepted"] },
            path: { cast in "/referrals/\(try await cast.referral())/transitions" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .forbidden]),
        // Only the giver (Rita, not in the cast) may pass a declined client on; the receiver and admins may not.
        Row(route: "POST /referrals/:referralID/pass", body: { _ in ["to": "member-person"] },
            path: { cast in "/referrals/\(try await cast.referral(status: "declined"))/pass" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .unprocessableEntity, .organizer: .notFound, .admin: .unprocessableEntity]),
        // Only the parties of a won referral write a testimonial (the owner received this one; Rita gave it).
        Row(route: "POST /referrals/:referralID/testimonial", body: { _ in ["text": "Thank you"] },
            path: { cast in "/referrals/\(try await cast.referral(status: "won"))/testimonial" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .conflict]),
        Row(route: "POST /testimonials/:testimonialID/hide", body: { _ in ["hidden": "true"] },
            path: { cast in "/testimonials/\(try await cast.testimonial())/hide" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /api/v1/referrals/:id/testimonial", api: true, body: { _ in ["text": "Thank you"] },
            path: { cast in "/api/v1/referrals/\(try await cast.referral(status: "won"))/testimonial" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .created, .organizer: .notFound, .admin: .conflict]),
        Row(route: "POST /notifications/:notificationID/read", path: { cast in "/notifications/\(try await cast.notification())/read" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        // The unsubscribe link is its own credential, like a reset link.
        Row(route: "GET /unsubscribe/:token",
            path: { cast in "/unsubscribe/" + (try await Notifications.unsubscribeToken(cast.users[.owner]!.requireID(), .referralReceived, on: cast.app.db)) },
            expected: Row.all(.ok)),
        Row(route: "POST /unsubscribe/:token",
            path: { cast in "/unsubscribe/" + (try await Notifications.unsubscribeToken(cast.users[.owner]!.requireID(), .referralReceived, on: cast.app.db)) },
            expected: Row.all(.ok)),
        Row(route: "GET /api/v1/referrals/:id", api: true, path: { cast in "/api/v1/referrals/\(try await cast.referral())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .ok]),
        Row(route: "POST /api/v1/referrals/:id/transitions", api: true, body: { _ in ["to": "accepted"] },
            path: { cast in "/api/v1/referrals/\(try await cast.referral())/transitions" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .forbidden]),
        Row(route: "POST /api/v1/notifications/:id/read", api: true, path: { cast in "/api/v1/notifications/\(try await cast.notification())/read" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .notFound]),
        // The requests board: every member reads a request and may suggest someone; only its poster (the owner) acts on it.
        Row(route: "GET /requests/:requestID", path: { cast in "/requests/\(try await cast.request())" },
            expected: [.anonymous: .seeOther, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /requests/:requestID/answers", body: { _ in ["member": "member-person", "reason": "Knows launches"] },
            path: { cast in "/requests/\(try await cast.request())/answers" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .conflict, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "POST /requests/:requestID/close", path: { cast in "/requests/\(try await cast.request())/close" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /requests/:requestID/extend", path: { cast in "/requests/\(try await cast.request())/extend" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "GET /api/v1/requests/:id", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "GET /api/v1/requests/:id/suggestions", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())/suggestions" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /api/v1/requests/:id/answers", api: true, body: { _ in ["member": "member-person", "reason": "Knows launches"] },
            path: { cast in "/api/v1/requests/\(try await cast.request())/answers" },
            expected: [.anonymous: .unauthorized, .member: .created, .owner: .conflict, .organizer: .created, .admin: .created]),
        Row(route: "POST /api/v1/requests/:id/referral", api: true,
            json: #"{"to":"member-person","clientName":"Clara","clientEmail":"clara@example.com","urgency":"whenever","consent":true}"#,
            path: { cast in "/api/v1/requests/\(try await cast.request())/referral" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .created, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/requests/:id/close", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())/close" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/requests/:id/extend", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())/extend" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .forbidden]),
        // Knowledge: a public post is for everyone; its author edits it, its author or an admin deletes it.
        Row(route: "GET /posts/:postID", path: { cast in "/posts/\(try await cast.post())" }, expected: Row.all(.ok)),
        Row(route: "GET /posts/:postID/edit", path: { cast in "/posts/\(try await cast.post())/edit" },
            expected: [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/edit", body: { _ in ["title": "Edited", "body": "Still true", "niches": "bookkeeping", "visibility": "public"] },
            path: { cast in "/posts/\(try await cast.post())/edit" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/delete", path: { cast in "/posts/\(try await cast.post())/delete" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .seeOther]),
        // The conversation: every member comments, reports and marks others' posts helpful; a comment is
        // its author's to edit (and an admin's to delete); the asker accepts an answer; organizers moderate.
        Row(route: "POST /posts/:postID/comments", body: { _ in ["body": "Good point"] }, path: { cast in "/posts/\(try await cast.post())/comments" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .seeOther, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "GET /posts/:postID/comments/:commentID/edit",
            path: { cast in let c = try await cast.comment(byOwner: true); return "/posts/\(c.post)/comments/\(c.comment)/edit" },
            expected: [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/comments/:commentID/edit", body: { _ in ["body": "Edited"] },
            path: { cast in let c = try await cast.comment(byOwner: true); return "/posts/\(c.post)/comments/\(c.comment)/edit" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/comments/:commentID/delete",
            path: { cast in let c = try await cast.comment(byOwner: true); return "/posts/\(c.post)/comments/\(c.comment)/delete" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .seeOther]),
        Row(route: "POST /posts/:postID/comments/:commentID/accept",
            path: { cast in let c = try await cast.comment(question: true); return "/posts/\(c.post)/comments/\(c.comment)/accept" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /posts/:postID/unaccept", path: { cast in "/posts/\(try await cast.comment(question: true).post)/unaccept" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /posts/:postID/helpful", path: { cast in "/posts/\(try await cast.post())/helpful" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .conflict, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "GET /posts/:postID/report", path: { cast in "/posts/\(try await cast.post())/report" },
            expected: [.anonymous: .seeOther, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /posts/:postID/report", body: { _ in ["reason": "Spam"] }, path: { cast in "/posts/\(try await cast.post())/report" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .seeOther, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "POST /posts/:postID/moderate", body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in "/posts/\(try await cast.post())/moderate" }, expected: organizersOnly),
        Row(route: "POST /posts/:postID/comments/:commentID/moderate", body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in let c = try await cast.comment(); return "/posts/\(c.post)/comments/\(c.comment)/moderate" },
            expected: organizersOnly),
        Row(route: "POST /organize/moderation/reports/:reportID/dismiss", body: { _ in ["reason": "Fine as it is"] },
            path: { cast in "/organize/moderation/reports/\(try await cast.report())/dismiss" }, expected: organizersOnly),
        Row(route: "GET /api/v1/posts/:id/comments", api: true, path: { cast in "/api/v1/posts/\(try await cast.comment().post)/comments" },
            expected: Row.all(.ok)),
        Row(route: "POST /api/v1/posts/:id/comments", api: true, body: { _ in ["body": "Good point"] },
            path: { cast in "/api/v1/posts/\(try await cast.post())/comments" },
            expected: [.anonymous: .unauthorized, .member: .created, .owner: .created, .organizer: .created, .admin: .created]),
        Row(route: "PATCH /api/v1/posts/:id/comments/:commentId", api: true, body: { _ in ["body": "Edited"] },
            path: { cast in let c = try await cast.comment(byOwner: true); return "/api/v1/posts/\(c.post)/comments/\(c.comment)" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "DELETE /api/v1/posts/:id/comments/:commentId", api: true,
            path: { cast in let c = try await cast.comment(byOwner: true); return "/api/v1/posts/\(c.post)/comments/\(c.comment)" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .noContent]),
        Row(route: "PUT /api/v1/posts/:id/helpful", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())/helpful" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .conflict, .organizer: .ok, .admin: .ok]),
        Row(route: "DELETE /api/v1/posts/:id/helpful", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())/helpful" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "PUT /api/v1/posts/:id/accepted", api: true, body: { cast in cast.acceptBody },
            path: { cast in
                let c = try await cast.comment(question: true)
                cast.acceptBody = ["commentId": c.comment.uuidString]
                return "/api/v1/posts/\(c.post)/accepted"
            },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .noContent, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "DELETE /api/v1/posts/:id/accepted", api: true, path: { cast in "/api/v1/posts/\(try await cast.comment(question: true).post)/accepted" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .noContent, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/posts/:id/reports", api: true, body: { _ in ["reason": "Spam"] },
            path: { cast in "/api/v1/posts/\(try await cast.post())/reports" },
            expected: [.anonymous: .unauthorized, .member: .noContent, .owner: .noContent, .organizer: .noContent, .admin: .noContent]),
        Row(route: "POST /api/v1/moderation/reports/:id/dismiss", api: true, body: { _ in ["reason": "Fine as it is"] },
            path: { cast in "/api/v1/moderation/reports/\(try await cast.report())/dismiss" }, expected: organizersOnlyNoContent),
        Row(route: "POST /api/v1/moderation/posts/:id", api: true, body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in "/api/v1/moderation/posts/\(try await cast.post())" }, expected: organizersOnlyNoContent),
        Row(route: "POST /api/v1/moderation/comments/:id", api: true, body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in "/api/v1/moderation/comments/\(try await cast.comment().comment)" }, expected: organizersOnlyNoContent),
        // The blogroll: niche pages and OPML for everyone; a recommendation is its member's to take back.
        Row(route: "GET /n/:slug/blogroll", path: { _ in "/n/bookkeeping/blogroll" }, expected: Row.all(.ok)),
        Row(route: "GET /blogroll/niches/:file", path: { _ in "/blogroll/niches/bookkeeping.opml" }, expected: Row.all(.ok)),
        Row(route: "GET /blogroll/members/:file", path: { cast in "/blogroll/members/\(cast.ownerSlug).opml" }, expected: Row.all(.ok)),
        Row(route: "POST /blogroll/:recommendationID/delete", path: { cast in "/blogroll/\(try await cast.recommendation())/delete" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "DELETE /api/v1/blogroll/:id", api: true, path: { cast in "/api/v1/blogroll/\(try await cast.recommendation())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .notFound]),
        Row(route: "GET /api/v1/blogroll/niches/:slug", api: true, path: { _ in "/api/v1/blogroll/niches/bookkeeping" }, expected: Row.all(.ok)),
        Row(route: "GET /feeds/niches/:file", path: { _ in "/feeds/niches/bookkeeping.atom" }, expected: Row.all(.ok)),
        Row(route: "GET /feeds/kinds/:file", path: { _ in "/feeds/kinds/tip.atom" }, expected: Row.all(.ok)),
        Row(route: "GET /feeds/members/:file", path: { cast in "/feeds/members/\(cast.ownerSlug).atom" }, expected: Row.all(.ok)),
        Row(route: "GET /api/v1/posts/:id", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())" }, expected: Row.all(.ok)),
        Row(route: "PATCH /api/v1/posts/:id", api: true, body: { _ in ["title": "Edited"] },
            path: { cast in "/api/v1/posts/\(try await cast.post())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "DELETE /api/v1/posts/:id", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .noContent]),
        // Contacts are their owner's alone: everyone else, organizers and admins included, finds nothing there.
        Row(route: "GET /contacts/:contactID", path: { cast in "/contacts/\(try await cast.contact())" }, expected: ownerOnlyPage),
        Row(route: "GET /contacts/:contactID/edit", path: { cast in "/contacts/\(try await cast.contact())/edit" }, expected: ownerOnlyPage),
        Row(route: "POST /contacts/:contactID", body: { _ in ["name": "Cora Changed"] },
            path: { cast in "/contacts/\(try await cast.contact())" }, expected: ownerOnlyForm),
        Row(route: "POST /contacts/:contactID/delete", path: { cast in "/contacts/\(try await cast.contact())/delete" }, expected: ownerOnlyForm),
        Row(route: "POST /contacts/:contactID/member", body: { cast in ["member": cast.ownerSlug] },
            path: { cast in "/contacts/\(try await cast.contact())/member" }, expected: ownerOnlyForm),
        Row(route: "POST /contacts/:contactID/followups", body: { _ in ["purpose": "Coffee?", "due": FollowUps.day(offsetDays: 3)] },
            path: { cast in "/contacts/\(try await cast.contact())/followups" }, expected: ownerOnlyForm),
        Row(route: "POST /contacts/:contactID/touches", body: { _ in ["kind": "call", "outcome": "Good talk"] },
            path: { cast in "/contacts/\(try await cast.contact())/touches" }, expected: ownerOnlyForm),
        Row(route: "GET /contacts/:contactID/email", path: { cast in "/contacts/\(try await cast.contact())/email" }, expected: ownerOnlyPage),
        Row(route: "POST /contacts/:contactID/email", body: { _ in ["subject": "Hello", "body": "Coffee next week?"] },
            path: { cast in "/contacts/\(try await cast.contact())/email" }, expected: ownerOnlyForm),
        Row(route: "POST /contacts/:contactID/emails/:emailID/answered",
            path: { cast in let e = try await cast.contactEmail(); return "/contacts/\(e.contact)/emails/\(e.email)/answered" }, expected: ownerOnlyForm),
        Row(route: "GET /contacts/:contactID/merge/:otherID",
            path: { cast in "/contacts/\(try await cast.contact())/merge/\(try await cast.contact())" }, expected: ownerOnlyPage),
        Row(route: "POST /contacts/:contactID/merge/:otherID",
            path: { cast in "/contacts/\(try await cast.contact())/merge/\(try await cast.contact())" }, expected: ownerOnlyForm),
        Row(route: "POST /contacts/import/:importID", body: { _ in ["column0": "name", "column1": "email"] },
            path: { cast in "/contacts/import/\(try await cast.contactImport())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /followups/:followUpID/done", path: { cast in "/followups/\(try await cast.followUp())/done" }, expected: ownerOnlyForm),
        Row(route: "POST /followups/:followUpID/snooze", body: { _ in ["until": FollowUps.day(offsetDays: 7)] },
            path: { cast in "/followups/\(try await cast.followUp())/snooze" }, expected: ownerOnlyForm),
        Row(route: "POST /followups/:followUpID/answered", path: { cast in "/followups/\(try await cast.followUp())/answered" }, expected: ownerOnlyForm),
        Row(route: "GET /api/v1/contacts/:id", api: true, path: { cast in "/api/v1/contacts/\(try await cast.contact())" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "PATCH /api/v1/contacts/:id", api: true, body: { _ in ["business": "Cora & Co."] },
            path: { cast in "/api/v1/contacts/\(try await cast.contact())" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "DELETE /api/v1/contacts/:id", api: true, path: { cast in "/api/v1/contacts/\(try await cast.contact())" },
            expected: ownerOnlyAPI(.noContent)),
        Row(route: "POST /api/v1/contacts/:id/emails", api: true, body: { _ in ["subject": "Hello", "body": "Coffee next week?"] },
            path: { cast in "/api/v1/contacts/\(try await cast.contact())/emails" }, expected: ownerOnlyAPI(.accepted)),
        Row(route: "POST /api/v1/followups/:id/done", api: true, path: { cast in "/api/v1/followups/\(try await cast.followUp())/done" },
            expected: ownerOnlyAPI(.ok)),
        // Circles are open: anyone reads them and any member joins; their organizers (the owner) and admins run them.
        Row(route: "GET /circles/:slug", path: { cast in "/circles/\(try await cast.circle().slug)" }, expected: Row.all(.ok)),
        Row(route: "GET /circles/:slug/edit", path: { cast in "/circles/\(try await cast.circle().slug)/edit" }, expected: circleOrganizerPage),
        Row(route: "POST /circles/:slug", body: { _ in ["name": "Renamed circle", "city": "York"] },
            path: { cast in "/circles/\(try await cast.circle().slug)" }, expected: circleOrganizerForm),
        Row(route: "POST /circles/:slug/join", path: { cast in "/circles/\(try await cast.circle().slug)/join" }, expected: anyMemberForm),
        // The owner is the circle's only organizer, with Rita still in it: they hand the role on first.
        Row(route: "POST /circles/:slug/leave", path: { cast in "/circles/\(try await cast.circle().slug)/leave" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .conflict, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "POST /circles/:slug/invitations", body: { cast in ["emails": "guest\(cast.next())@example.com"] },
            path: { cast in "/circles/\(try await cast.circle().slug)/invitations" }, expected: circleOrganizerForm),
        Row(route: "POST /circles/:slug/members/:userID/remove", body: { _ in ["reason": "Matrix"] },
            path: { cast in "/circles/\(try await cast.circle().slug)/members/\(try cast.resetUser.requireID())/remove" }, expected: circleOrganizerForm),
        Row(route: "POST /circles/:slug/members/:userID/organizer",
            path: { cast in "/circles/\(try await cast.circle().slug)/members/\(try cast.resetUser.requireID())/organizer" }, expected: circleOrganizerForm),
        // Events: anyone reads them, members answer; the host (the owner) and admins run them.
        Row(route: "GET /events/:eventID", path: { cast in "/events/\(try await cast.event().id)" }, expected: Row.all(.ok)),
        Row(route: "GET /events/:eventID/edit", path: { cast in "/events/\(try await cast.event().id)/edit" }, expected: circleOrganizerPage),
        Row(route: "POST /events/:eventID",
            body: { _ in ["title": "Renamed", "start": "2027-01-06T08:00", "minutes": "60", "timeZone": "Europe/London", "place": "Café"] },
            path: { cast in "/events/\(try await cast.event().id)" }, expected: circleOrganizerForm),
        Row(route: "POST /events/:eventID/cancel", body: { _ in ["reason": "Matrix"] },
            path: { cast in "/events/\(try await cast.event().id)/cancel" }, expected: circleOrganizerForm),
        Row(route: "POST /events/:eventID/rsvp", body: { _ in ["answer": "yes"] },
            path: { cast in "/events/\(try await cast.event().id)/rsvp" }, expected: anyMemberForm),
        Row(route: "GET /events/:eventID/checkin", path: { cast in "/events/\(try await cast.event().id)/checkin" }, expected: circleOrganizerPage),
        Row(route: "POST /events/:eventID/checkins", body: { cast in ["userID": (try? cast.resetUser.requireID().uuidString) ?? ""] },
            path: { cast in "/events/\(try await cast.event(hours: 0.25).id)/checkins" }, expected: circleOrganizerForm),
        // Keeping someone as a contact: those who were there (the owner) and the people who run the event.
        Row(route: "POST /events/:eventID/attendees/:userID/contact",
            path: { cast in "/events/\(try await cast.eventUnderWay().id)/attendees/\(try cast.resetUser.requireID())/contact" },
            expected: [.anonymous: .unauthorized, .member: .conflict, .owner: .seeOther, .organizer: .conflict, .admin: .seeOther]),
        Row(route: "GET /api/v1/circles/:slug", api: true, path: { cast in "/api/v1/circles/\(try await cast.circle().slug)" }, expected: Row.all(.ok)),
        Row(route: "PUT /api/v1/circles/:slug/membership", api: true, path: { cast in "/api/v1/circles/\(try await cast.circle().slug)/membership" },
            expected: signedInAPI(.ok)),
        Row(route: "DELETE /api/v1/circles/:slug/membership", api: true,
            path: { cast in "/api/v1/circles/\(try await cast.circle().slug)/membership" },
            expected: [.anonymous: .unauthorized, .member: .noContent, .owner: .conflict, .organizer: .noContent, .admin: .noContent]),
        Row(route: "GET /api/v1/events/:id", api: true, path: { cast in "/api/v1/events/\(try await cast.event().id)" }, expected: Row.all(.ok)),
        Row(route: "POST /api/v1/events/:id/rsvp", api: true, body: { _ in ["answer": "yes"] },
            path: { cast in "/api/v1/events/\(try await cast.event().id)/rsvp" }, expected: signedInAPI(.ok)),
        Row(route: "POST /api/v1/events/:id/checkins", api: true, body: { cast in ["member": (try? cast.resetUser.requireID().uuidString) ?? ""] },
            path: { cast in "/api/v1/events/\(try await cast.event(hours: 0.25).id)/checkins" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .created, .organizer: .forbidden, .admin: .created]),
        // A private attendee list: those going, those checked in, the host and admins.
        Row(route: "GET /api/v1/events/:id/attendees", api: true, path: { cast in "/api/v1/events/\(try await cast.event().id)/attendees" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .ok]),
        // A feed's secret address is its own credential, like a reset link: whoever holds it reads it.
        Row(route: "GET /calendar/:file", path: { cast in try await cast.calendarFeed() }, expected: Row.all(.ok)),
        // One-to-ones are the two members' own: for anyone else, organizers and admins included, they do not exist.
        Row(route: "GET /one-to-ones/:oneToOneID", path: { cast in "/one-to-ones/\(try await cast.oneToOne())" }, expected: ownerOnlyPage),
        Row(route: "GET /one-to-ones/:oneToOneID/invite.ics", path: { cast in "/one-to-ones/\(try await cast.oneToOne(confirmed: true))/invite.ics" },
            expected: ownerOnlyPage),
        Row(route: "POST /one-to-ones/:oneToOneID/accept", body: { _ in ["slot": "1"] },
            path: { cast in "/one-to-ones/\(try await cast.oneToOne(toOwner: true))/accept" }, expected: ownerOnlyForm),
        Row(route: "POST /one-to-ones/:oneToOneID/decline", path: { cast in "/one-to-ones/\(try await cast.oneToOne(toOwner: true))/decline" },
            expected: ownerOnlyForm),
        Row(route: "POST /one-to-ones/:oneToOneID/cancel", path: { cast in "/one-to-ones/\(try await cast.oneToOne())/cancel" }, expected: ownerOnlyForm),
        Row(route: "POST /one-to-ones/:oneToOneID/move", body: { _ in ["start": EventTimes.local(Date().addingTimeInterval(72 * 3_600), zone: TimeZone(identifier: "UTC")!)] },
            path: { cast in "/one-to-ones/\(try await cast.oneToOne(confirmed: true))/move" }, expected: ownerOnlyForm),
        Row(route: "GET /api/v1/one-to-ones/:id", api: true, path: { cast in "/api/v1/one-to-ones/\(try await cast.oneToOne())" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "POST /api/v1/one-to-ones/:id/accept", api: true, json: #"{"slot":1}"#,
            path: { cast in "/api/v1/one-to-ones/\(try await cast.oneToOne(toOwner: true))/accept" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "POST /api/v1/one-to-ones/:id/decline", api: true,
            path: { cast in "/api/v1/one-to-ones/\(try await cast.oneToOne(toOwner: true))/decline" }, expected: ownerOnlyAPI(.ok)),
        Row(route: "POST /api/v1/one-to-ones/:id/cancel", api: true, path: { cast in "/api/v1/one-to-ones/\(try await cast.oneToOne())/cancel" },
            expected: ownerOnlyAPI(.ok)),
        Row(route: "GET /api/v1/members/:slug", api: true, path: { cast in "/api/v1/members/\(cast.ownerSlug)" }, expected: Row.all(.ok)),
        Row(route: "GET /api/v1/niches/:slug", api: true, path: { _ in "/api/v1/niches/bookkeeping" }, expected: Row.all(.ok)),
        Row(route: "POST /api/v1/niches/:slug/merge", api: true, body: { _ in ["into": "bookkeeping"] },
            path: { cast in "/api/v1/niches/\(try await cast.freshNiche())/merge" }, expected: organizersOnlyAPI),
        Row(route: "POST /api/v1/niches/:slug/synonyms", api: true, body: { cast in ["synonym": "api synonym \(cast.next())"] },
            path: { _ in "/api/v1/niches/bookkeeping/synonyms" }, expected: organizersOnlyAPI),
    ]

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
