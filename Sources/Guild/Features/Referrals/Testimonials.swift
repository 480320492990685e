import Fluent
import SQLKit
import Validation
import Vapor

/// Testimonials only from real referrals: the giver or the receiver of a `won` referral may write
/// one about the other party, once per referral. It shows on the subject's profile as "from a
/// referral in <niche>, <month year>"; the subject may hide it, and nobody may edit it.
enum Testimonials {
    static let maxLength = 1000

    struct Shown: Encodable, Sendable {
        var id: UUID
        var text: String
        var author: String
        var authorSlug: String?
        var context: String
        var hidden: Bool
    }

    static func write(about referralID: UUID, by author: User, text raw: String, on db: any Database) async throws -> UUID {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty, text.unicodeScalars.count <= maxLength else {
            throw ReferralsError.invalid(field: "text", "Write the testimonial in 1 to \(maxLength) characters.")
        }
        // Line breaks and tabs are fine in a testimonial; other control characters are not (as the API document says).
        if let problem = TextRules.textProblem(text, what: "The testimonial") {
            throw ReferralsError.invalid(field: "text", problem)
        }
        guard let referral = try await Referrals.visible(referralID, to: author, on: db) else { throw ReferralsError.notFound }
        let authorID = try author.requireID()
        guard referral.giver_id == authorID || referral.receiver_id == authorID else { throw ReferralsError.testimonialNotAllowed }
        guard referral.statusValue == .won else { throw ReferralsError.testimonialNotAllowed }
        let subject = referral.giver_id == authorID ? referral.receiver_id : referral.giver_id
        let niche = try await Profiles.niches(of: subject, on: db).first?.name ?? ""
        let id = UUID()
        struct Inserted: Decodable { var id: UUID }
        let inserted = try await db.sql.raw("""
            INSERT INTO testimonials (id, referral_id, author_id, subject_id, text, niche, hidden, created_at)
            VALUES (\(bind: id), \(bind: referralID), \(bind: authorID), \(bind: subject), \(bind: text), \(bind: niche), \(bind: false), \(bind: Date()))
            ON CONFLICT (referral_id, author_id) DO NOTHING RETURNING id
            """).first(decoding: Inserted.self)
        guard inserted != nil else { throw ReferralsError.testimonialExists }
        return id
    }

    /// Hides or shows a testimonial about `subject`; false when it is not about them.
    static func setHidden(_ id: UUID, _ hidden: Bool, by subject: User, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var id: UUID }
        return try await db.sql.raw("""
            UPDATE testimonials SET hidden = \(bind: hidden) WHERE id = \(bind: id) AND subject_id = \(bind: subject.requireID()) RETURNING id
            """).first(decoding: Row.self) != nil
    }

    /// The testimonials about a member, newest first; hidden ones only when `includingHidden` (their own view).
    static func about(_ subjectID: UUID, includingHidden: Bool = false, on db: any Database) async throws -> [Shown] {
        struct Row: Decodable { var id: UUID; var text: String; var author: String; var slug: String?; var niche: String; var hidden: Bool; var created_at: Date }
        let rows = try await db.sql.raw("""
            SELECT t.id, t.text, \(AccountsSQL.name(of: "t.author_id")) AS author, \(ProfilesSQL.slug(of: "t.author_id")) AS slug,
                t.niche, t.hidden, t.created_at
            FROM testimonials t
            WHERE t.subject_id = \(bind: subjectID) \(unsafeRaw: includingHidden ? "" : "AND t.hidden = false")
            ORDER BY t.created_at DESC LIMIT 50
            """).all(decoding: Row.self)
        let month = DateFormatter()
        month.locale = Locale(identifier: "en_US_POSIX")
        month.timeZone = TimeZone(identifier: "UTC")
        month.dateFormat = "MMMM yyyy"
        return rows.map {
            Shown(id: $0.id, text: $0.text, author: $0.author, authorSlug: $0.slug,
                  context: "from a referral" + ($0.niche.isEmpty ? "" : " in \($0.niche)") + ", " + month.string(from: $0.created_at),
                  hidden: $0.hidden)
        }
    }

    /// Whether this member has already written one about this referral.
    static func written(_ referralID: UUID, by userID: UUID?, on db: any Database) async throws -> Bool {
        guard let userID else { return false }
        struct Row: Decodable { var id: UUID }
        return try await db.sql.raw("SELECT id FROM testimonials WHERE referral_id = \(bind: referralID) AND author_id = \(bind: userID)")
            .first(decoding: Row.self) != nil
    }
}
