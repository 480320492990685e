import Formats
import Fluent
import Validation
import Vapor

/// A few accounts to explore Guild with, added only to an empty database.
enum DemoData {
    static let password = "guild-demo-password"

    static func seedIfEmpty(_ app: Application, console: any Console) async throws {
        guard try await User.query(on: app.db).count() == 0 else {
            console.print("Demo data skipped: the database already has accounts.")
            return
        }
        let hash = try await app.password.async.hash(password)
        // Named accounts whose profiles fit them: the admin and the organizer run practices too.
        let people: [(name: String, email: String, role: Role, business: String, headline: String, city: String,
                      niches: [String], bio: String)] = [
            ("Ada Admin", "admin@guild.test", .admin, "Admin & Co. Bookkeeping", "Bookkeeping and payroll for trades",
             "Austin, TX", ["Bookkeeping", "Payroll services"],
             "I keep the books for plumbers, electricians and builders, and I look after this Guild's server on Sundays."),
            ("Olu Organizer", "organizer@guild.test", .organizer, "Okafor Events", "Networking mornings and business events",
             "Austin, TX", ["Event planning", "Venue management"],
             "I run the Wednesday networking morning at the library. Ask me for the calendar, or for a speaker who shows up."),
            ("Marisol Ortega", "marisol@guild.test", .member, "Tablefull", "Seats filled for independent restaurants",
             "Austin, TX", ["Restaurant marketing", "Local SEO"],
             "I help independent restaurants fill their quiet nights: **menus people share**, Google profiles that rank, and promos that pay for themselves."),
            ("Dev Kapoor", "dev@guild.test", .member, "Kapoor Growth", "CRM that your team will actually use",
             "Columbus, OH", ["CRM implementation", "Marketing automation"],
             "I set up HubSpot and Pipedrive for teams of two to twenty, then automate the follow-ups nobody has time for."),
            ("Rae Lindqvist", "rae@guild.test", .member, "Lindqvist Photo", "Homes that sell, from the ground and the air",
             "Austin, TX", ["Real estate photography", "Aerial drone photography"],
             "Listing photos, floor plans and drone shots, delivered the next morning. [Recent work](https://example.org)."),
        ]
        // Who each wants to meet: the partners a referral network is for.
        let partnersWanted = ["marisol@guild.test": ["Food photography", "Web design"], "dev@guild.test": ["Bookkeeping", "Copywriting"],
                              "rae@guild.test": ["Real estate agents", "Home staging"]]
        for person in people {
            let user = User(name: person.name, email: person.email, passwordHash: hash, role: person.role)
            try await user.create(on: app.db)
            var profile = ProfileInput()
            profile.business = person.business
            profile.headline = person.headline
            profile.bio = person.bio
            profile.city = person.city
            profile.niches = person.niches.map { .init(name: $0, level: .expert) }
            profile.partnersWanted = partnersWanted[person.email] ?? []
            try await Profiles.save(profile, for: user, on: app.db)
        }
        let generated = try await DemoNetworkWriter.write(members: 300, seed: 1, app: app)
        try await seedReferrals(app)
        try await seedRequests(app)
        try await seedPosts(app)
        let referrals = try await DemoReferralWriter.write(perMember: 10, among: generated, seed: 1, app: app)
        let posts = try await DemoPostWriter.write(perMember: 2, among: generated, seed: 1, app: app)
        try await DemoBlogWriter.write(among: generated, seed: 1, app: app)
        let contacts = try await DemoContactWriter.write(app: app)
        let events = try await DemoEventWriter.write(among: generated, app: app)
        try await DemoCoverWriter.write(app: app)
        let disciplineDays = try await DemoDisciplineWriter.write(app: app)
        console.print("Demo data added: 5 named accounts, 300 generated members, \(referrals) referrals and \(posts.posts) posts with \(posts.comments) comments among them, \(contacts) private contacts with follow-ups, \(events.circles) circles with \(events.events) event dates, cover plans (Dev is out this week, Marisol covers), a year of disciplines (\(disciplineDays) days logged). Sign in as admin@guild.test, organizer@guild.test or marisol@guild.test")
        console.print("with the password \(password).")
    }

    /// One of the named demo accounts, which `seedIfEmpty` has just made.
    static func account(_ email: String, _ app: Application) async throws -> User {
        guard let user = try await User.query(on: app.db).filter(\.$email == email).first() else { throw Abort(.internalServerError) }
        return user
    }

    /// A few referrals between the named accounts, so the ledger, notifications and a won value show.
    static func seedReferrals(_ app: Application) async throws {
        let marisol = try await account("marisol@guild.test", app), rae = try await account("rae@guild.test", app)
        let dev = try await account("dev@guild.test", app)
        let base = app.guildConfig.baseURL
        @discardableResult
        func refer(_ giver: User, to slug: String, client: String, email: String, need: String, steps: [(ReferralStatus, String?, Money?)]) async throws -> UUID {
            let id = try await Referrals.create(
                ReferralDraft(receiverSlug: slug, clientName: client, clientEmail: email, clientPhone: "", need: need,
                              note: "Met them at the Wednesday networking morning.", urgency: ReferralUrgency.thisMonth.rawValue, consent: true),
                by: giver, baseURL: base, limited: false, on: app.db)
            guard let receiverID = try await Referrals.find(id, on: app.db)?.receiver_id, let receiver = try await User.find(receiverID, on: app.db) else { return id }
            for (status, reason, value) in steps {
                try await Referrals.transition(id, to: status, reason: reason, value: value, by: receiver, baseURL: base, on: app.db)
            }
            return id
        }
        let won = try await refer(marisol, to: "rae-lindqvist", client: "Tomás Herrera", email: "tomas@example.com",
                        need: "We're selling the family house in June and want photos that make it look its best, maybe from the air.",
                        steps: [(.accepted, nil, nil), (.contacted, nil, nil), (.won, nil, Money(minorUnits: 85_000, currency: "USD"))])
        _ = try await Testimonials.write(about: won, by: marisol,
                                         text: "Rae shot the Herreras' house on a grey morning and it still looked like spring. It sold in nine days.",
                                         on: app.db)
        _ = try await Testimonials.write(about: won, by: rae, text: "Marisol sends clients who are ready to go. Thank you!", on: app.db)
        try await refer(dev, to: "marisol-ortega", client: "June Park", email: "june@example.com",
                        need: "Our café is empty on weeknights and nobody finds us on Google Maps.", steps: [(.accepted, nil, nil)])
        try await refer(rae, to: "ada-admin", client: "Sam Ortiz", email: "sam@example.com",
                        need: "My books for the roofing business are a year behind and the tax deadline is close.", steps: [])
        try await refer(marisol, to: "dev-kapoor", client: "Lee Chen", email: "lee@example.com",
                        need: "Leads from the website get lost; we need a CRM set up.", steps: [(.declined, "Fully booked until spring; try a peer.", nil)])
    }

    /// The requests board: an open request with answers, an open one waiting for them, and one filled.
    static func seedRequests(_ app: Application) async throws {
        let marisol = try await account("marisol@guild.test", app), rae = try await account("rae@guild.test", app)
        let dev = try await account("dev@guild.test", app), ada = try await account("admin@guild.test", app)
        let base = app.guildConfig.baseURL
        let menu = try await ReferralRequests.create(RequestDraft(
            title: "A food photographer for a new menu at a taqueria in Austin",
            details: "Twelve dishes, natural light, photos by the end of the month. The owner is a long-time client of mine.",
            niches: ["Food photography", "Commercial photography"], city: "Austin, TX", remote: false), by: marisol, on: app.db)
        _ = try await ReferralRequests.answer(menu, suggesting: "rae-lindqvist",
                                              reason: "Rae usually shoots houses, but her light is lovely and she did a bakery last spring.",
                                              by: dev, baseURL: base, on: app.db)
        _ = try await ReferralRequests.create(RequestDraft(
            title: "Someone to build online booking for a yoga studio",
            details: "They take bookings by text message today and double-book the Saturday class every other week.",
            niches: ["Web application development"], city: "", remote: true), by: dev, on: app.db)
        let payroll = try await ReferralRequests.create(RequestDraft(
            title: "A bookkeeper who knows restaurant payroll and tips",
            details: "", niches: ["Bookkeeping", "Payroll services"], city: "Austin, TX", remote: true), by: rae, on: app.db)
        let offer = try await ReferralRequests.answer(payroll, suggesting: "ada-admin",
                                                      reason: "Tips and shift pay are half of my work: happy to help.",
                                                      by: ada, baseURL: base, on: app.db)
        _ = try await Referrals.create(
            ReferralDraft(receiverSlug: "ada-admin", clientName: "Nico Ruiz", clientEmail: "nico@example.com", clientPhone: "",
                          need: "A bookkeeper who knows restaurant payroll and tips", note: "Nico runs two food trucks.",
                          urgency: ReferralUrgency.thisMonth.rawValue, consent: true),
            by: rae, request: .init(id: payroll, answer: offer), baseURL: base, on: app.db)
    }

    /// Knowledge posts of every kind, one of them without a name, one for members only, and a case
    /// study that links the won referral; comments and replies, helpful marks, an accepted answer,
    /// and an open report for the organizers.
    static func seedPosts(_ app: Application) async throws {
        // The named accounts have been on Guild for a month, so one of them may post without a name.
        try await app.db.sql.raw("UPDATE users SET created_at = \(bind: Date().addingTimeInterval(-30 * 86_400)) WHERE email LIKE '%@guild.test'").run()
        func post(_ kind: PostKind, _ title: String, _ body: String, niches: [String], by email: String, visibility: PostVisibility = .public,
                  anonymous: Bool = false, parts: (String, String, String) = ("", "", ""), referral: UUID? = nil) async throws -> UUID {
            try await Posts.create(PostDraft(kind: kind.rawValue, title: title, body: body, problem: parts.0, approach: parts.1, result: parts.2,
                                                 niches: niches, visibility: visibility.rawValue, anonymous: anonymous, referralID: referral),
                                       by: try await account(email, app), on: app.db)
        }
        let invoice = try await post(.tip, "Invoice on the day you finish the job", """
            Not at the end of the month. Clients pay a fresh invoice for work they can still see; in my books the \
            same-day invoices are paid **eleven days sooner** on average.
            """, niches: ["Bookkeeping"], by: "admin@guild.test")
        let horror = try await post(.horrorStory, "The client who wanted forty edits for free", """
            Forty rounds of changes on a listing shoot, then a chargeback. Put the number of revisions in the quote, \
            and take a deposit. I do now.
            """, niches: ["Real estate photography"], by: "rae@guild.test", anonymous: true)
        let crm = try await post(.question, "Which CRM for a two-person cleaning company?", """
            They book by text message and lose about one job a week. HubSpot feels too big. What have you seen work?
            """, niches: ["CRM implementation"], by: "dev@guild.test", visibility: .members)
        let badges = try await post(.tool, "A free way to print name badges for a networking morning", """
            A spreadsheet of names and a [mail merge](https://support.google.com/docs) into label sheets: ten minutes for sixty badges.
            """, niches: ["Event planning"], by: "organizer@guild.test")
        struct Won: Decodable { var id: UUID }
        let won = try await app.db.sql.raw("""
            SELECT r.id FROM referrals r JOIN users u ON u.id = r.giver_id WHERE u.email = 'marisol@guild.test' AND r.status = 'won'
            """).first(decoding: Won.self)?.id
        let caseStudy = try await post(.caseStudy, "Photos that sold a family house in nine days", "Referred through Guild.",
                       niches: ["Real estate photography", "Restaurant marketing"], by: "marisol@guild.test",
                       parts: ("The Herreras had to sell by June and their listing photos were from a phone.",
                               "I introduced them to Rae, who shot it on a grey morning and added drone views of the garden.",
                               "Nine days on the market and two offers. Rae's fee was under one percent of the price."),
                       referral: won)
        let taqueria = try await post(.triumph, "Tuesday nights are full at a taqueria that was empty in March", """
            Three things: a Google profile with real photos, a Tuesday-only menu, and telling the neighbours. Bookings went from \
            4 to 38.
            """, niches: ["Restaurant marketing", "Local SEO"], by: "marisol@guild.test")
        let mistake = try await post(.mistake, "I quoted a fixed price for an open-ended CRM migration", """
            The data had eleven years of duplicates. Now I quote the audit first, then the migration.
            """, niches: ["CRM implementation"], by: "dev@guild.test")
    
        // The conversation: answers to the question, a reply, the accepted answer, helpful marks, a report.
        let base = app.guildConfig.baseURL
        let dev = try await account("dev@guild.test", app), marisol = try await account("marisol@guild.test", app)
        let ada = try await account("admin@guild.test", app), rae = try await account("rae@guild.test", app)
        let olu = try await account("organizer@guild.test", app)
        let answer = try await Comments.create(on: crm, parent: nil, body: """
            For two people who book by text, a shared calendar with booking links beat every CRM I tried: \
            clients pick a slot, and nobody double-books. Add a CRM when there are five of you.
            """, by: marisol, baseURL: base, on: app.db)
        _ = try await Comments.create(on: crm, parent: nil, body: "Pipedrive has a two-seat plan, and it imports a phone's contacts.",
                                      by: ada, baseURL: base, on: app.db)
        _ = try await Comments.create(on: crm, parent: answer, body: "That is what they needed. Booking links went live on Friday.",
                                      by: dev, baseURL: base, on: app.db)
        try await Comments.accept(answer, on: crm, by: dev, baseURL: base, on: app.db)
        let deposit = try await Comments.create(on: horror, parent: nil, body: "A deposit saved me from the same client. 30 % up front, always.",
                                                by: olu, baseURL: base, on: app.db)
        _ = try await Comments.create(on: invoice, parent: nil, body: "Same-day invoices changed my cash flow too. Templates help.",
                                      by: rae, baseURL: base, on: app.db)
        for (postID, members) in [(invoice, [dev, marisol, rae, olu]), (taqueria, [dev, ada, rae]), (horror, [dev, marisol]),
                                  (badges, [marisol]), (caseStudy, [dev, ada, olu]), (mistake, [marisol, ada])] {
            for member in members { _ = try await Comments.markHelpful(postID, by: member, on: app.db) }
        }
        try await Moderation.report(horror, comment: deposit, reason: "Reads like an advert for a deposit service.", by: dev, on: app.db)
        try await seedBlogroll(app)
    }

    /// Members' own blogs and the blogs they recommend, with a few items as if the fetcher had read
    /// them (the demo's addresses are example domains; `guild feeds refresh` would find nothing there).
    static func seedBlogroll(_ app: Application) async throws {
        func recommend(_ email: String, _ title: String, _ feed: String, reason: String, niches: [String], own: Bool = false) async throws {
            _ = try await Blogroll.recommend(BlogDraft(feedURL: feed, siteURL: "", title: title, reason: reason, niches: niches, own: own),
                                             by: try await account(email, app), on: app.db)
        }
        try await recommend("marisol@guild.test", "Ortega Marketing Notes", "https://ortega-marketing.example/feed.xml",
                            reason: "What works for restaurants this month.", niches: ["Restaurant marketing", "Local SEO"], own: true)
        try await recommend("dev@guild.test", "Small Ledger", "https://small-ledger.example/atom.xml",
                            reason: "The clearest writing on month-end for owners who hate month-end.", niches: ["Bookkeeping"])
        try await recommend("admin@guild.test", "Small Ledger", "https://small-ledger.example/atom.xml",
                            reason: "I send clients here before our first call.", niches: ["Bookkeeping", "Payroll services"])
        try await recommend("rae@guild.test", "Light & Listing", "https://light-and-listing.example/rss",
                            reason: "Shows the before and after of every edit.", niches: ["Real estate photography"])
        try await recommend("marisol@guild.test", "Near Me", "https://near-me.example/feed",
                            reason: "Short posts on Google profiles that actually move bookings.", niches: ["Local SEO"])
        struct Blog: Decodable { var id: UUID; var title: String }
        let blogs = try await app.db.sql.raw("SELECT id, title FROM blogs").all(decoding: Blog.self)
        let items: [String: [(String, String)]] = [
            "Small Ledger": [("Close the month in a day", "Reconcile every morning and month-end is an afternoon."),
                             ("Tips are wages: what that means for payroll", "Tip credits, tip pools and the forms that go with them.")],
            "Ortega Marketing Notes": [("A Tuesday-only menu", "How a slow night became the busiest one in six weeks.")],
            "Near Me": [("Photos on your Google profile, ranked", "Real photos beat stock ones three to one in clicks.")],
            "Light & Listing": [("Grey mornings sell houses", "Soft light, no harsh shadows, and the garden looks bigger.")],
        ]
        let now = Date()
        for blog in blogs {
            let document = FeedDocument(title: blog.title, siteURL: "", items: (items[blog.title] ?? []).enumerated().map { index, item in
                FeedDocument.Item(id: "demo-\(index)", title: item.0, link: "", summary: item.1,
                                  published: now.addingTimeInterval(-Double(index + 1) * 3 * 86_400))
            })
            try await FeedRefresh.store(document, of: blog.id, at: now, on: app.db)
            try await app.db.sql.raw("UPDATE blogs SET fetched_at = \(bind: now) WHERE id = \(bind: blog.id)").run()
        }
    }
}
