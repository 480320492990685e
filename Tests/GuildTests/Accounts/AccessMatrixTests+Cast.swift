import Fluent
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Guild

/// The people of the access matrix and the things its rows make for them.
extension AccessMatrixTests {
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
}
