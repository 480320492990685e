import Fluent
import SQLKit
import Validation
import Vapor

/// A request on the board, as members see it. `state` is what a person would call it: open,
/// filled (the poster referred someone), closed (by the poster) or expired.
struct RequestRecord: Decodable, Sendable {
    var id: UUID
    var author_id: UUID
    var author_name: String
    var author_slug: String?
    var title: String
    var details: String
    var city: String
    var remote: Bool
    var status: String
    var created_at: Date
    var expires_at: Date
    var answers: Int

    func state(now: Date = Date()) -> String {
        status == "open" && expires_at <= now ? "expired" : status
    }

    /// The words matching reads, and a referral made from the request carries as the client's need.
    var need: String { details.isEmpty ? title : title + "\n\n" + details }
}

struct RequestNicheTag: Decodable, Sendable, Encodable {
    var request_id: UUID
    var slug: String
    var name: String
}

struct RequestAnswerRecord: Decodable, Sendable {
    var id: UUID
    var author_id: UUID
    var author_name: String
    var author_slug: String?
    var suggested_id: UUID
    var suggested_name: String
    var suggested_slug: String?
    var reason: String
    var created_at: Date
    var picked: Bool
}

/// What a member fills in to post a request.
struct RequestDraft: Sendable {
    var title: String
    var details: String
    var niches: [String]
    var city: String
    var remote: Bool

    /// Checks every field, resolves the niches, and names the first field at fault.
    func validated(on db: any Database) async throws -> (RequestDraft, [NicheResolver.Resolved]) {
        var draft = self
        draft.title = title.trimmingWhitespace()
        draft.details = details.trimmingWhitespace()
        draft.city = city.trimmingWhitespace()
        func fail(_ field: String, _ message: String) -> RequestsError { .invalid(field: field, message) }
        guard !draft.title.isEmpty, draft.title.unicodeScalars.count <= RequestRules.titleMax else {
            throw fail("title", "Say what you are looking for in 1 to \(RequestRules.titleMax) characters, like “a photographer for a product launch in Denver”.")
        }
        if let problem = TextRules.lineProblem(draft.title, what: "The title") { throw fail("title", problem) }
        guard draft.details.unicodeScalars.count <= RequestRules.detailsMax else {
            throw fail("details", "The details can be at most \(RequestRules.detailsMax) characters.")
        }
        if let problem = TextRules.textProblem(draft.details, what: "The details") { throw fail("details", problem) }
        // Details of nothing but invisible characters are no details.
        if draft.details.unicodeScalars.allSatisfy(TextRules.isInvisible) { draft.details = "" }
        guard draft.city.unicodeScalars.count <= RequestRules.cityMax else {
            throw fail("city", "The city can be at most \(RequestRules.cityMax) characters.")
        }
        if let problem = TextRules.lineProblem(draft.city, what: "The city") { throw fail("city", problem) }
        guard !draft.city.isEmpty || draft.remote else { throw fail("city", "Give a city, or say that remote help will do.") }
        let typed = draft.niches.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard RequestRules.nicheRange.contains(typed.count) else {
            throw fail("niches", "Tag the request with 1 to \(RequestRules.nicheRange.upperBound) niches, so the right members see it.")
        }
        let resolved = try await NicheResolver.tags(typed, on: db).mapError { RequestsError.unknownNiche($0.name) }.get()
        draft.niches = resolved.map(\.name)
        return (draft, resolved)
    }
}

/// The requests board's writes and reads. A request is for every member to read; the client's
/// details appear only once the poster refers someone, in the referral, like any other.
enum ReferralRequests {
    static let selectRecord: SQLQueryString = """
        SELECT q.id, q.author_id, \(AccountsSQL.name(of: "q.author_id")) AS author_name, \(ProfilesSQL.slug(of: "q.author_id")) AS author_slug,
            q.title, q.details, q.city, q.remote, q.status, q.created_at, q.expires_at,
            (SELECT COUNT(*) FROM request_answers a WHERE a.request_id = q.id) AS answers
        FROM referral_requests q
        """

    /// A request is on the board for everyone in its niches: ten a day per member.
    static let createsPerDay = Throttle(limit: 10, window: 86_400)

    static func create(_ draft: RequestDraft, by author: User, now: Date = Date(), on db: any Database) async throws -> UUID {
        let (draft, niches) = try await draft.validated(on: db)
        let id = UUID()
        let authorID = try author.requireID()
        try await createsPerDay.consume("request-create:\(authorID)", on: db, now: now)
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await db.sql.raw("""
                INSERT INTO referral_requests (id, author_id, title, details, city, remote, status, created_at, expires_at)
                VALUES (\(bind: id), \(bind: authorID), \(bind: draft.title), \(bind: draft.details), \(bind: draft.city),
                    \(bind: draft.remote), 'open', \(bind: now), \(bind: now.addingTimeInterval(Double(RequestRules.openDays) * 86_400)))
                """).run()
            for (position, niche) in niches.enumerated() {
                try await db.sql.raw("""
                    INSERT INTO request_niches (request_id, niche_id, position) VALUES (\(bind: id), \(bind: niche.id), \(bind: position + 1))
                    """).run()
            }
        }
        return id
    }

    static func find(_ id: UUID, on db: any Database) async throws -> RequestRecord? {
        try await db.sql.raw("\(selectRecord) WHERE q.id = \(bind: id)").first(decoding: RequestRecord.self)
    }

    struct Filter: Sendable {
        var niche: String?
        var city: String?
        var remote: Bool = false
        /// The member's own requests, in every state; otherwise open ones only.
        var mine: UUID?
        var limit = 30
        var offset = 0
    }

    /// The board: open requests newest first (or one member's own, in every state), with their niches.
    static func list(_ filter: Filter, now: Date = Date(), on db: any Database) async throws -> [RequestRecord] {
        var conditions: [SQLQueryString] = []
        if let mine = filter.mine {
            conditions.append("q.author_id = \(bind: mine)")
        } else {
            conditions.append("q.status = 'open' AND q.expires_at > \(bind: now)")
        }
        if let niche = filter.niche {
            conditions.append("EXISTS (SELECT 1 FROM request_niches rn WHERE rn.request_id = q.id AND rn.niche_id = \(NichesSQL.id(slug: niche)))")
        }
        if let city = filter.city?.lowercased(), !city.isEmpty {
            let place: SQLQueryString = "(LOWER(q.city) LIKE \(bind: LikePattern.starting(with: city)) \(LikePattern.escape))"
            conditions.append(filter.remote ? "(\(place) OR q.remote = \(bind: true))" : place)
        } else if filter.remote {
            conditions.append("q.remote = \(bind: true)")
        }
        return try await db.sql.raw("""
            \(selectRecord) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY q.created_at DESC, q.id LIMIT \(literal: filter.limit) OFFSET \(literal: filter.offset)
            """).all(decoding: RequestRecord.self)
    }

    /// The niches of these requests, in the order their posters gave them.
    static func niches(of ids: [UUID], on db: any Database) async throws -> [UUID: [RequestNicheTag]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT rn.request_id, \(NichesSQL.slug(of: "rn.niche_id")) AS slug, \(NichesSQL.name(of: "rn.niche_id")) AS name
            FROM request_niches rn WHERE rn.request_id IN (\(binds: ids)) ORDER BY rn.request_id, rn.position
            """).all(decoding: RequestNicheTag.self)
        return Dictionary(grouping: rows, by: \.request_id)
    }

    static func answers(to id: UUID, on db: any Database) async throws -> [RequestAnswerRecord] {
        try await db.sql.raw("""
            SELECT a.id, a.author_id, \(AccountsSQL.name(of: "a.author_id")) AS author_name, \(ProfilesSQL.slug(of: "a.author_id")) AS author_slug,
                a.suggested_id, \(AccountsSQL.name(of: "a.suggested_id")) AS suggested_name,
                \(ProfilesSQL.slug(of: "a.suggested_id")) AS suggested_slug, a.reason, a.created_at,
                EXISTS (SELECT 1 FROM referrals r WHERE r.answer_id = a.id) AS picked
            FROM request_answers a
            WHERE a.request_id = \(bind: id) ORDER BY a.created_at, a.id
            """).all(decoding: RequestAnswerRecord.self)
    }

    /// A member suggests someone (or themselves) for a request, with a sentence why. The poster hears
    /// of it, and so does the member suggested (unless they suggested themselves).
    static func answer(_ requestID: UUID, suggesting slug: String, reason raw: String, by answerer: User,
                       baseURL: String, now: Date = Date(), on db: any Database) async throws -> UUID {
        let reason = raw.trimmingWhitespace()
        guard !reason.isEmpty, reason.unicodeScalars.count <= RequestRules.answerReasonMax else {
            throw RequestsError.invalid(field: "reason", "Say in a sentence why this member fits (up to \(RequestRules.answerReasonMax) characters).")
        }
        if let problem = TextRules.textProblem(reason, what: "The reason") { throw RequestsError.invalid(field: "reason", problem) }
        let answererID = try answerer.requireID()
        let id = UUID()
        try await db.writeTransaction(reportingGeneration: false) { db in
            guard let request = try await find(requestID, on: db) else { throw RequestsError.notFound }
            guard request.author_id != answererID else { throw RequestsError.ownRequest }
            let state = request.state(now: now)
            guard state == "open" else { throw RequestsError.notOpen(state) }
            guard slug.utf8.count <= 200, let memberID = try await Profiles.userID(slug: slug, on: db),
                  let member = try await People.byID([memberID], on: db)[memberID].map({ (user_id: $0.id, name: $0.name) })
            else { throw RequestsError.unknownMember(slug) }
            guard member.user_id != request.author_id else { throw RequestsError.suggestingAuthor }
            struct Inserted: Decodable { var id: UUID }
            guard try await db.sql.raw("""
                INSERT INTO request_answers (id, request_id, author_id, suggested_id, reason, created_at)
                VALUES (\(bind: id), \(bind: requestID), \(bind: answererID), \(bind: member.user_id), \(bind: reason), \(bind: now))
                ON CONFLICT (request_id, author_id, suggested_id) DO NOTHING RETURNING id
                """).first(decoding: Inserted.self) != nil
            else { throw RequestsError.alreadySuggested }
            let who = member.user_id == answererID ? "themselves" : member.name
            try await Notifications.notify(request.author_id, .requestAnswered, .init(
                title: "\(answerer.name) suggested \(who) for “\(request.title.prefix(80))”",
                link: "/requests/\(requestID)",
                emailBody: "\(answerer.name) answered your request on Guild, suggesting \(who). Open the request to read why and to refer your client."),
                from: answerer.id, baseURL: baseURL, on: db)
            if member.user_id != answererID {
                try await Notifications.notify(member.user_id, .requestSuggested, .init(
                    title: "\(answerer.name) suggested you for “\(request.title.prefix(80))”",
                    link: "/requests/\(requestID)",
                    emailBody: "\(answerer.name) suggested you for a request by \(request.author_name) on Guild. If it fits, the request's page says what they need."),
                    from: answerer.id, baseURL: baseURL, on: db)
            }
        }
        return id
    }

    /// Up to five members matching finds for the request's words, less its poster and `skipping`
    /// (members already suggested).
    static func suggestions(for request: RequestRecord, skipping: Set<UUID>, app: Application, db: any Database) async throws -> MatchResults {
        // The niches the poster tagged say in a word what the request says in a sentence.
        let niches = try await niches(of: [request.id], on: db)[request.id]?.map(\.name) ?? []
        let words = request.need + (niches.isEmpty ? "" : "\n\n" + niches.joined(separator: ", "))
        let need = MatchNeed(need: String(words.prefix(MatchNeed.maxNeedCharacters)), city: request.city.isEmpty ? nil : request.city,
                             remoteOK: request.remote, limit: 10)
        var results = try await Matcher.match(need, app: app, db: db)
        let skipped = Set(try await People.byID(Array(skipping.union([request.author_id])), on: db).values.compactMap(\.slug))
        results.matches = Array(results.matches.filter { !skipped.contains($0.slug) }.prefix(5))
        return results
    }

    /// The poster closes the request (found someone elsewhere, or no longer needed).
    static func close(_ id: UUID, by user: User, now: Date = Date(), on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            let request = try await ownOpen(id, by: user, allowExpired: true, now: now, on: db)
            try await db.sql.raw("UPDATE referral_requests SET status = 'closed', closed_at = \(bind: now) WHERE id = \(bind: request.id)").run()
        }
    }

    /// The poster keeps the request open for another 30 days from now (also after it expired).
    static func extend(_ id: UUID, by user: User, now: Date = Date(), on db: any Database) async throws {
        try await db.writeTransaction(reportingGeneration: false) { db in
            let request = try await ownOpen(id, by: user, allowExpired: true, now: now, on: db)
            try await db.sql.raw("""
                UPDATE referral_requests SET expires_at = \(bind: now.addingTimeInterval(Double(RequestRules.openDays) * 86_400))
                WHERE id = \(bind: request.id)
                """).run()
        }
    }

    /// The request if `user` posted it and it still takes referrals; the error a person should see otherwise.
    static func ownOpen(_ id: UUID, by user: User, allowExpired: Bool = false, now: Date = Date(), on db: any Database) async throws -> RequestRecord {
        try await db.lock("request:\(id)")
        guard let request = try await find(id, on: db) else { throw RequestsError.notFound }
        guard request.author_id == user.id else { throw RequestsError.onlyAuthor }
        let state = request.state(now: now)
        guard state == "open" || (allowExpired && state == "expired") else { throw RequestsError.notOpen(state) }
        return request
    }

    /// Who wrote this answer, if it exists.
    static func answerAuthor(_ answerID: UUID, on db: any Database) async throws -> UUID? {
        struct Row: Decodable { var author_id: UUID }
        return try await db.sql.raw("SELECT author_id FROM request_answers WHERE id = \(bind: answerID)").first(decoding: Row.self)?.author_id
    }

    /// Inside the referral's transaction: checks that the giver may refer from this request (and
    /// answer), then marks the request filled.
    static func fill(_ id: UUID, answer answerID: UUID?, receiver: UUID, by giver: User, now: Date = Date(), on db: any Database) async throws {
        let request = try await ownOpen(id, by: giver, now: now, on: db)
        if let answerID {
            struct Row: Decodable { var suggested_id: UUID }
            guard let answer = try await db.sql.raw("""
                SELECT suggested_id FROM request_answers WHERE id = \(bind: answerID) AND request_id = \(bind: request.id)
                """).first(decoding: Row.self)
            else { throw RequestsError.unknownAnswer }
            guard answer.suggested_id == receiver else { throw RequestsError.answerMismatch }
        }
        try await db.sql.raw("UPDATE referral_requests SET status = 'filled', closed_at = \(bind: now) WHERE id = \(bind: request.id)").run()
    }
}

extension NicheLink {
    /// The niches a request on the board is tagged with.
    static let requestNiches = NicheLink(owner: "Requests", table: "request_niches", shape: .set(key: "request_id"))
}
