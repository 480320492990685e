import Fluent
import SQLKit
import Validation
import Vapor

/// A client sent from one member to another, as the ledger keeps it.
struct ReferralRecord: Decodable, Sendable {
    var id: UUID
    var giver_id: UUID
    var receiver_id: UUID
    var giver_name: String
    var receiver_name: String
    var giver_slug: String?
    var receiver_slug: String?
    var client_name: String
    var client_email: String
    var client_phone: String
    var need: String
    var note: String
    var urgency: String
    var status: String
    var reason: String?
    var value_minor: Int64?
    var currency: String?
    var passed_from_id: UUID?
    var request_id: UUID?
    var created_at: Date
    var updated_at: Date
    /// The away member the receiver took this client for, as their backup.
    var covering_for_name: String? = nil

    var statusValue: ReferralStatus { ReferralStatus(rawValue: status) ?? .new }
    var value: Money? { value_minor.flatMap { minor in currency.map { Money(minorUnits: minor, currency: $0) } } }
}

struct ReferralEventRecord: Decodable, Sendable {
    var actor_name: String?
    var from_status: String?
    var to_status: String
    var reason: String?
    var value_minor: Int64?
    var currency: String?
    var at: Date
}

/// What a member fills in to refer a client.
struct ReferralDraft: Sendable {
    var receiverSlug: String
    var clientName: String
    var clientEmail: String
    var clientPhone: String
    var need: String
    var note: String
    var urgency: String
    var consent: Bool

    /// Checks every field and names the first one at fault.
    func validated() throws -> ReferralDraft {
        var draft = self
        draft.clientName = clientName.trimmingWhitespace()
        draft.clientEmail = clientEmail.trimmingWhitespace().lowercased()
        draft.clientPhone = clientPhone.trimmingWhitespace()
        draft.need = need.trimmingWhitespace()
        draft.note = note.trimmingWhitespace()
        func fail(_ field: String, _ message: String) -> ReferralsError { .invalid(field: field, message) }
        guard !draft.clientName.isEmpty, draft.clientName.unicodeScalars.count <= ReferralRules.clientNameMax else {
            throw fail("clientName", "Give the client's name, up to \(ReferralRules.clientNameMax) characters.")
        }
        if let problem = TextRules.lineProblem(draft.clientName, what: "The client's name") { throw fail("clientName", problem) }
        guard !draft.clientEmail.isEmpty || !draft.clientPhone.isEmpty else {
            throw fail("clientEmail", "Give the client's email or phone number, so the member can reach them.")
        }
        if !draft.clientEmail.isEmpty, case .failure = AccountRules.email(draft.clientEmail) {
            throw fail("clientEmail", "Enter a valid email address for the client, or leave it empty and give a phone number.")
        }
        if !draft.clientPhone.isEmpty, draft.clientPhone.count > ReferralRules.phoneMax
            || !draft.clientPhone.allSatisfy({ ($0.isASCII && $0.isNumber) || " +-().".contains($0) })
            || draft.clientPhone.filter({ $0.isASCII && $0.isNumber }).count < 5 {
            throw fail("clientPhone", "Enter a phone number of digits, spaces and + - ( ), or leave it empty and give an email.")
        }
        guard !draft.need.isEmpty, draft.need.unicodeScalars.count <= ReferralRules.needMax else {
            throw fail("need", "Describe what the client needs, in their words (up to \(ReferralRules.needMax) characters).")
        }
        guard draft.note.unicodeScalars.count <= ReferralRules.noteMax else {
            throw fail("note", "The note can be at most \(ReferralRules.noteMax) characters.")
        }
        guard ReferralUrgency(rawValue: urgency) != nil else { throw fail("urgency", "Choose this week, this month or whenever.") }
        guard consent else { throw fail("consent", "Tick that the client agreed to be contacted; Guild does not pass on people who did not.") }
        return draft
    }
}

/// The ledger's writes and reads. Every change is one transaction with its history row and the
/// notification it causes; client details are read only for the giver, the receiver and admins.
enum Referrals {
    /// Whether either member ever referred a client to the other.
    static func exchanged(_ a: UUID, _ b: UUID, on db: any Database) async throws -> Bool {
        struct Row: Decodable { var n: Int }
        return try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM referrals WHERE (giver_id = \(bind: a) AND receiver_id = \(bind: b)) OR (giver_id = \(bind: b) AND receiver_id = \(bind: a))
            """).first(decoding: Row.self)?.n ?? 0 > 0
    }

    static let selectRecord: SQLQueryString = """
        SELECT r.id, r.giver_id, r.receiver_id, \(AccountsSQL.name(of: "r.giver_id")) AS giver_name,
            \(AccountsSQL.name(of: "r.receiver_id")) AS receiver_name, \(ProfilesSQL.slug(of: "r.giver_id")) AS giver_slug,
            \(ProfilesSQL.slug(of: "r.receiver_id")) AS receiver_slug, r.client_name, r.client_email, r.client_phone,
            r.need, r.note, r.urgency, r.status, r.reason, r.value_minor, r.currency, r.passed_from_id,
            r.request_id, r.created_at, r.updated_at, \(AccountsSQL.name(of: "r.covering_for_id")) AS covering_for_name
        FROM referrals r
        """

    /// Creates a referral from `giver` to the member with the draft's slug; refuses self-referral
    /// and members who are away.
    /// From the requests board: the request (and the answer picked, if any); the request becomes filled.
    struct FromRequest: Sendable {
        var id: UUID
        var answer: UUID?
    }

    /// Each referral notifies its receiver: 30 a day per giver (the demo's generated ledger is not limited).
    static let createsPerDay = Throttle(limit: 30, window: 86_400)

    static func create(_ draft: ReferralDraft, by giver: User, passedFrom: UUID? = nil, request: FromRequest? = nil,
                       baseURL: String, limited: Bool = true, on db: any Database) async throws -> UUID {
        let draft = try draft.validated()
        let giverID = try giver.requireID()
        guard let profile = try await Profile.find(slug: draft.receiverSlug, on: db)
        else { throw ReferralsError.unknownMember(draft.receiverSlug) }
        let target = (user_id: profile.$user.id, availability: profile.availability.rawValue, away_until: profile.awayUntil)
        guard target.user_id != giverID else { throw ReferralsError.selfReferral }
        // A member under cover: the client goes to their first available backup, credited as covering for them.
        var receiverID = target.user_id
        var coveringFor: (id: UUID, name: String)?
        if try await CoverActivations.active(target.user_id, on: db) != nil {
            guard let backup = try await CoverBackups.available(for: target.user_id, on: db).first(where: { $0 != giverID }) else {
                throw ReferralsError.receiverAway
            }
            receiverID = backup
            coveringFor = (target.user_id, try await People.byID([target.user_id], on: db)[target.user_id]?.name ?? "a member")
        } else if target.availability == Availability.away.rawValue, target.away_until.map({ $0 > Date() }) ?? true {
            throw ReferralsError.receiverAway
        }
        let receiver = receiverID, covering = coveringFor
        if limited { try await createsPerDay.consume("referral-create:\(giverID)", on: db) }
        let id = UUID(), now = Date()
        try await db.writeTransaction { db in
            if let request {
                try await ReferralRequests.fill(request.id, answer: request.answer, receiver: receiver, by: giver, now: now, on: db)
            }
            try await db.sql.raw("""
                INSERT INTO referrals (id, giver_id, receiver_id, client_name, client_email, client_phone, need, note, urgency,
                    status, passed_from_id, request_id, answer_id, created_at, updated_at, covering_for_id)
                VALUES (\(bind: id), \(bind: giverID), \(bind: receiver), \(bind: draft.clientName), \(bind: draft.clientEmail),
                    \(bind: draft.clientPhone), \(bind: draft.need), \(bind: draft.note), \(bind: draft.urgency), 'new',
                    \(bind: passedFrom), \(bind: request?.id), \(bind: request?.answer), \(bind: now), \(bind: now), \(bind: covering?.id))
                """).run()
            try await record(id, actor: giverID, from: nil, to: .new, reason: nil, value: nil, at: now, on: db)
            try await Notifications.notify(receiver, .referralReceived, .init(
                title: "\(giver.name) referred a client to you" + (covering.map { " (covering for \($0.name))" } ?? ""),
                link: "/referrals/\(id)",
                emailBody: "\(giver.name) referred a client to you on Guild. Open the referral to see who they are and what they need, then accept or decline it."),
                from: giver.id, baseURL: baseURL, on: db)
            if let request, let answer = request.answer {
                if let answerer = try await ReferralRequests.answerAuthor(answer, on: db), answerer != receiver {
                    try await Notifications.notify(answerer, .requestSuggested, .init(
                        title: "\(giver.name) picked the member you suggested",
                        link: "/requests/\(request.id)",
                        emailBody: "\(giver.name) referred their client to the member you suggested on the requests board. Thank you for the introduction."),
                        from: giver.id, baseURL: baseURL, on: db)
                }
            }
        }
        return id
    }

    /// Moves a referral on. Only its receiver may; the giver hears of acceptance, decline, win and loss.
    static func transition(_ id: UUID, to: ReferralStatus, reason: String?, value: Money?, by actor: User,
                           baseURL: String, on db: any Database) async throws {
        let actorID = try actor.requireID()
        try await db.writeTransaction { db in
            try await db.lock("referral:\(id)")
            guard let referral = try await find(id, on: db) else { throw ReferralsError.notFound }
            guard referral.receiver_id == actorID else {
                // Others involved see it but may not move it; everyone else is told it does not exist.
                throw referral.giver_id == actorID || actor.role == .admin ? ReferralsError.onlyReceiver : ReferralsError.notFound
            }
            let reason = reason?.trimmingWhitespace()
            if let problem = ReferralRules.check(from: referral.statusValue, to: to, reason: reason, value: value) {
                throw ReferralsError.transition(problem)
            }
            let now = Date()
            try await db.sql.raw("""
                UPDATE referrals SET status = \(bind: to.rawValue), reason = \(bind: reason?.isEmpty == false ? reason : referral.reason),
                    value_minor = \(bind: value?.minorUnits ?? referral.value_minor), currency = \(bind: value?.currency ?? referral.currency),
                    updated_at = \(bind: now)
                WHERE id = \(bind: id)
                """).run()
            try await record(id, actor: actorID, from: referral.statusValue, to: to, reason: reason, value: value, at: now, on: db)
            if [.accepted, .declined, .won, .lost].contains(to) {
                let what = switch to {
                case .accepted: "accepted"
                case .declined: "declined"
                case .won: "won (\(value?.display ?? ""), credited to you)"
                default: "lost"
                }
                try await Notifications.notify(referral.giver_id, .referralUpdated, .init(
                    title: "\(actor.name) \(to == .won ? "won" : what) the client you referred",
                    link: "/referrals/\(id)",
                    emailBody: "The client you referred to \(actor.name) on Guild was \(what). The referral's page has its history."),
                    from: actor.id, baseURL: baseURL, on: db)
            }
        }
    }

    static func record(_ id: UUID, actor: UUID, from: ReferralStatus?, to: ReferralStatus, reason: String?, value: Money?,
                       at: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO referral_events (id, referral_id, actor_id, from_status, to_status, reason, value_minor, currency, at)
            VALUES (\(bind: UUID()), \(bind: id), \(bind: actor), \(bind: from?.rawValue), \(bind: to.rawValue),
                \(bind: reason?.isEmpty == false ? reason : nil), \(bind: value?.minorUnits), \(bind: value?.currency), \(bind: at))
            """).run()
    }

    static func find(_ id: UUID, on db: any Database) async throws -> ReferralRecord? {
        try await db.sql.raw("\(selectRecord) WHERE r.id = \(bind: id)").first(decoding: ReferralRecord.self)
    }

    /// The referral if this person may see it (giver, receiver, admin); nil otherwise, as if it did not exist.
    static func visible(_ id: UUID, to user: User, on db: any Database) async throws -> ReferralRecord? {
        guard let referral = try await find(id, on: db) else { return nil }
        let userID = try user.requireID()
        return referral.giver_id == userID || referral.receiver_id == userID || user.role == .admin ? referral : nil
    }

    static func history(_ id: UUID, on db: any Database) async throws -> [ReferralEventRecord] {
        try await db.sql.raw("""
            SELECT \(AccountsSQL.name(of: "e.actor_id")) AS actor_name, e.from_status, e.to_status, e.reason, e.value_minor, e.currency, e.at
            FROM referral_events e WHERE e.referral_id = \(bind: id) ORDER BY e.at, e.id
            """).all(decoding: ReferralEventRecord.self)
    }

    enum Role: String, Sendable, CaseIterable { case given, received }

    /// A member's own ledger, newest first.
    static func ledger(of userID: UUID, role: Role?, status: ReferralStatus?, limit: Int = 100, offset: Int = 0,
                       on db: any Database) async throws -> [ReferralRecord] {
        var conditions: [SQLQueryString] = []
        switch role {
        case .given: conditions.append("r.giver_id = \(bind: userID)")
        case .received: conditions.append("r.receiver_id = \(bind: userID)")
        case nil: conditions.append("(r.giver_id = \(bind: userID) OR r.receiver_id = \(bind: userID))")
        }
        if let status { conditions.append("r.status = \(bind: status.rawValue)") }
        return try await db.sql.raw("""
            \(selectRecord) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY r.created_at DESC, r.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all(decoding: ReferralRecord.self)
    }
}

extension Referrals {
    /// A table for the discipline board: one row per referral the member gave or received since `start`
    /// (`at`: when, `flag`: they gave it).
    static func referralsSQL(of member: UUID, since start: Date) -> SQLQueryString {
        """
        (SELECT created_at AS at, giver_id = \(bind: member) AS flag FROM referrals
         WHERE (giver_id = \(bind: member) OR receiver_id = \(bind: member)) AND created_at >= \(bind: start))
        """
    }
}
