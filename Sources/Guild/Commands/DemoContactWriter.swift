import Fluent
import Foundation
import SQLKit
import Taxonomy
import Validation
import Vapor

/// Demo contacts for the named accounts: about 50 cards each, one of them a fellow member (so "is on
/// Guild" shows), follow-ups due today, overdue, snoozed and waiting for an answer, touches, and twelve
/// weeks of emails sent and answered, so Today and its chart show a living address book.
enum DemoContactWriter {
    static let owners = ["admin@guild.test", "organizer@guild.test", "marisol@guild.test", "dev@guild.test", "rae@guild.test"]

    @discardableResult
    static func write(perMember: Int = 48, now: Date = Date(), app: Application) async throws -> Int {
        var written = 0
        var found: [UUID?] = []
        for name in ["Bookkeeping", "Plumbing", "Web design", "Wedding photography", "Copywriting"] {
            found.append(try await NicheResolver.find(name, on: app.db)?.id)
        }
        let niches = found
        for (index, email) in owners.enumerated() {
            guard let owner = try await User.query(on: app.db).filter(\.$email == email).first()?.requireID() else { continue }
            var cards = DemoContacts.cards(count: perMember, seed: UInt64(40 + index))
            // A fellow member from the same morning: their card carries their Guild address.
            let fellow = owners[(index + 1) % owners.count]
            if let user = try await User.query(on: app.db).filter(\.$email == fellow).first() {
                cards.append(ContactFields(name: user.name, business: "", emails: [.init(fellow)], met: "Wednesday networking morning at the library",
                                           notes: "Met at the door; we were the last two to leave.", tags: ["partners"]))
            }
            let ids = cards.map { _ in UUID() }
            let rows = Array(zip(ids, cards))
            try await app.db.writeTransaction(reportingGeneration: false) { db in
                try await ContactImport.insertMany(rows, owner: owner, at: now.addingTimeInterval(-120 * 86_400), on: db)
                // Every sixth card filed under the niche the person works in.
                for (n, id) in ids.enumerated() where n % 6 == 0 {
                    guard let niche = niches[n / 6 % niches.count] else { continue }
                    try await db.sql.raw("INSERT INTO contact_niches (contact_id, niche_id) VALUES (\(bind: id), \(bind: niche))").run()
                }
                var random = SplitMix64(seed: UInt64(900 + index))
                let purposes = ["Send the proposal", "Coffee?", "Ask how the opening went", "Thank them for the referral", "Share the case study"]
                // Follow-ups: 3 due today, 2 overdue, 1 snoozed, 3 upcoming.
                for (n, offset) in [0, 0, 0, -2, -5, 4, 2, 6, 10].enumerated() {
                    let id = UUID()
                    try await db.sql.raw("""
                        INSERT INTO followups (id, owner_id, contact_id, purpose, due_on, snoozed_until, created_at)
                        VALUES (\(bind: id), \(bind: owner), \(bind: ids[n * 5 % ids.count]), \(bind: purposes[n % purposes.count]),
                                \(bind: FollowUps.day(now, offsetDays: offset == 4 ? -1 : offset)), \(bind: offset == 4 ? FollowUps.day(now, offsetDays: 4) : nil),
                                \(bind: now.addingTimeInterval(-7 * 86_400)))
                        """).run()
                }
                // Twelve weeks of emails and touches: most answered, the latest ones still waiting.
                for week in 0..<12 {
                    for _ in 0..<(1 + random.below(4)) {
                        let contact = ids[random.below(ids.count)]
                        let sentAt = now.addingTimeInterval(-Double(week * 7 + random.below(7)) * 86_400 - 3600)
                        let answered = week > 0 && random.below(3) > 0
                        try await db.sql.raw("""
                            INSERT INTO contact_emails (id, owner_id, contact_id, token_hash, recipient, subject, sent_at, answered_at)
                            VALUES (\(bind: UUID()), \(bind: owner), \(bind: contact), \(bind: SecureToken.hash(UUID().uuidString)),
                                    'demo@example.com', \(bind: purposes[random.below(purposes.count)]), \(bind: sentAt),
                                    \(bind: answered ? sentAt.addingTimeInterval(Double(1 + random.below(48)) * 3600) : nil))
                            """).run()
                        try await FollowUps.logTouch(contact: contact, followUp: nil, kind: .email, outcome: "Sent a note", at: sentAt, owner: owner, on: db)
                        if answered {
                            try await FollowUps.logTouch(contact: contact, followUp: nil, kind: .reply, outcome: "Replied", at: sentAt.addingTimeInterval(7200),
                                                         owner: owner, on: db)
                        }
                    }
                    if random.below(2) == 0 {
                        try await FollowUps.logTouch(contact: ids[random.below(ids.count)], followUp: nil, kind: [.call, .met, .message][random.below(3)],
                                                     outcome: "Good talk", at: now.addingTimeInterval(-Double(week * 7 + 2) * 86_400), owner: owner, on: db)
                    }
                }
            }
            written += cards.count
        }
        return written
    }
}
