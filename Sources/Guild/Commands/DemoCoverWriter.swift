import Fluent
import Foundation
import SQLKit
import Vapor

/// Cover plans for the demo: the named members back each other up, three have runbooks, Dev is out
/// this week with Marisol covering (she has logged some work), and Marisol was covered by Rae last
/// spring and thanked her. Runbooks need a key; without one the rest is still written.
enum DemoCoverWriter {
    @discardableResult
    static func write(app: Application) async throws -> Int {
        let db = app.db
        func id(_ email: String) async throws -> UUID { try await DemoData.account(email, app).requireID() }
        func slug(_ email: String) async throws -> String {
            try await Profile.find(userID: try await id(email), on: db)?.slug ?? ""
        }
        let admin = try await id("admin@guild.test"), olu = try await id("organizer@guild.test")
        let marisol = try await id("marisol@guild.test"), dev = try await id("dev@guild.test"), rae = try await id("rae@guild.test")
        let pairs: [(member: UUID, backup: String, niche: String?, accept: Bool, message: String)] = [
            (marisol, "rae@guild.test", nil, true, "We share half our clients anyway. Would you be my backup?"),
            (marisol, "dev@guild.test", "local-seo", true, "For the SEO retainers only, if you would."),
            (rae, "marisol@guild.test", nil, true, ""),
            (dev, "marisol@guild.test", nil, true, "You know my restaurant clients better than anyone."),
            (dev, "rae@guild.test", nil, false, ""),
            (admin, "organizer@guild.test", nil, true, "Someone has to look after the books and the server."),
            (olu, "admin@guild.test", nil, true, ""),
        ]
        var count = 0
        for pair in pairs {
            let request = try await CoverBackups.ask(pair.member, backupSlug: try await slug(pair.backup), nicheSlug: pair.niche,
                                                     message: pair.message, baseURL: app.guildConfig.baseURL, on: db)
            if pair.accept {
                try await CoverBackups.answer(request, accept: true, by: try await id(pair.backup), baseURL: app.guildConfig.baseURL, on: db)
            }
            count += 1
        }
        if let cipher = app.runbookCipher {
            try await Runbooks.save(RunbookDocument(
                clients: [
                    .init(id: "", name: "Harbor Noodle Bar", email: "owner@harbornoodle.example", phone: "+1 512 555 0142",
                          inProgress: "New lunch menu photos booked for the 14th; Google profile posts weekly.", deadline: "2027-01-14",
                          mustHear: "The menu reprint is on me; nothing changes for them."),
                    .init(id: "", name: "Casa Verde", email: "hola@casaverde.example", phone: "", inProgress: "Quiet-Tuesday promo running",
                          deadline: "", mustHear: "Promo results come in the monthly report as usual."),
                ],
                duties: [.init(id: "", title: "Post the weekly specials on three Google profiles", when: "Mondays by 10:00",
                               steps: "1. Open the Specials sheet in the shared drive.\n2. Copy each restaurant's row into its Google profile post.\n3. Tick the row.")],
                whereThingsLive: "Shared drive › Tablefull › Clients (one folder each). Logins: the Tablefull vault in Bitwarden, emergency access for Rae.",
                emergencyContact: "Lucía Ortega (sister), +1 512 555 0199",
                clientMessage: "I am away for a few days. Rae Lindqvist is looking after anything urgent; reply to this email and it reaches me."),
                member: marisol, cipher: cipher, on: db)
            try await Runbooks.save(RunbookDocument(
                clients: [.init(id: "", name: "Cedar & Co. Dental", email: "", phone: "+1 614 555 0101",
                                inProgress: "Pipedrive migration: contacts imported, automations half built.", deadline: "2027-01-20",
                                mustHear: "Their reminder emails keep running from the old system until I switch them over.")],
                duties: [.init(id: "", title: "Send the Thursday newsletter", when: "Thursdays 9:00",
                               steps: "Duplicate last week's campaign in Mailchimp, swap the tip of the week, send to the Clients list.")],
                whereThingsLive: "Everything client-side lives in each client's own HubSpot or Pipedrive; my notes are in Notion › Clients.",
                emergencyContact: "Priya Kapoor, +1 614 555 0177"), member: dev, cipher: cipher, on: db)
            try await Runbooks.save(RunbookDocument(
                duties: [.init(id: "", title: "Deliver yesterday's shoots", when: "Every morning",
                               steps: "Edited sets are in Dropbox › Deliveries; send each agent the share link.")],
                emergencyContact: "Jonas Lindqvist, +1 512 555 0123"), member: rae, cipher: cipher, on: db)
        }
        // Last spring: Marisol was out a week, Rae covered and was thanked.
        let past = try await CoverActivations.start(marisol, by: .member(marisol), expectedBack: nil, note: "Family matters, back Monday.",
                                                    baseURL: app.guildConfig.baseURL, cipher: nil, on: db)
        let marisolUser = try await DemoData.account("marisol@guild.test", app)
        _ = try await CoverActivations.end(marisol, by: marisolUser, baseURL: app.guildConfig.baseURL, on: db)
        try await db.sql.raw("""
            UPDATE cover_activations SET started_at = \(bind: Date().addingTimeInterval(-240 * 86_400)),
                ended_at = \(bind: Date().addingTimeInterval(-233 * 86_400)) WHERE id = \(bind: past)
            """).run()
        try await CoverHandoffs.thank(past, backup: rae, message: "Harbor never noticed I was gone. Thank you!", by: marisol,
                                      baseURL: app.guildConfig.baseURL, on: db)
        // This week: Dev is out, Marisol covers and has logged the newsletter.
        _ = try await CoverActivations.start(dev, by: .member(dev), expectedBack: Date().addingTimeInterval(5 * 86_400),
                                             note: "Down with the flu; phone off.", baseURL: app.guildConfig.baseURL, cipher: app.runbookCipher, on: db)
        if app.runbookCipher != nil {
            _ = try await CoverHandoffs.record(for: dev, by: marisol, item: "", note: "Sent Thursday's newsletter (same template, new tip).",
                                               cipher: app.runbookCipher, on: db)
        }
        return count
    }
}
