import Taxonomy
import Fluent
import SafeMarkdown
import SQLKit
import Vapor

/// Writes profiles: fields, niches with their levels, partner wishes, and the search entry, in one transaction.
enum Profiles {
    @discardableResult
    static func save(_ input: ProfileInput, for user: User, on db: any Database) async throws -> Profile {
        let input = try input.validated()
        let userID = try user.requireID()
        let name = user.name
        let profile = try await db.writeTransaction { db in
            try await write(input, userID: userID, name: name, in: db)
        }
        // Matching's pieces in a transaction of their own, after the profile's: profile saves are
        // serialised on the directory generation's row, and with the pieces inside that window 20
        // concurrent saves on PostgreSQL outlasted the connection pool's 10 s under load. A crash
        // in between leaves the old pieces until the next save; search is always current.
        try await db.writeTransaction(reportingGeneration: false) { db in
            try await MatchSentences.refresh([try profile.requireID()], on: db)
        }
        return profile
    }

    /// The body of `save`, for callers that already hold a write transaction (imports); they refresh
    /// matching's pieces (`MatchSentences.refresh`) after their commit.
    static func write(_ input: ProfileInput, userID: UUID, name: String, in db: any Database) async throws -> Profile {
        // Two saves of one member's first profile (a double click) must not both create it.
        try await db.lock("profile:\(userID)")
        // New niches are created in one order by every writer, so two saves cannot wait on each other.
        var resolved: [String: NicheResolver.Resolved] = [:]
        for typed in Set(input.niches.map(\.name) + input.partnersWanted).sorted(by: { NicheNormalizer.key($0) < NicheNormalizer.key($1) }) {
            resolved[typed] = try await NicheResolver.findOrCreate(typed, on: db)
        }
        let profile = try await Profile.find(userID: userID, on: db) ?? Profile()
        if profile.id == nil {
            profile.$user.id = userID
            profile.slug = try await uniqueSlug(for: name, on: db)
            profile.searchID = try await MemberSearchIndex.nextSearchIDs(1, on: db)[0]
        }
        profile.business = input.business
        profile.headline = input.headline
        profile.bio = input.bio
        profile.bioHTML = SafeMarkdown().html(input.bio)
        profile.website = input.website
        profile.blogURL = input.blogURL
        profile.city = input.city
        profile.cityKey = input.city.lowercased()
        profile.remote = input.remote
        profile.availability = input.availability
        profile.awayUntil = input.awayUntil
        try await profile.save(on: db)
        let profileID = try profile.requireID()

        // The member's own words for a niche ("Matterport tours" for real estate photography) are kept
        // as its label: matching reads them. A form that sends the niche's name back keeps the label.
        struct LabelRow: Decodable { var niche_id: UUID; var label: String? }
        let oldLabels = Dictionary(
            try await db.sql.raw("SELECT niche_id, label FROM profile_niches WHERE profile_id = \(bind: profileID)")
                .all(decoding: LabelRow.self).compactMap { row in row.label.map { (row.niche_id, $0) } },
            uniquingKeysWith: { first, _ in first })
        var listed: [(niche: NicheResolver.Resolved, level: NicheLevel, labels: [String])] = []
        for choice in input.niches {
            guard let niche = resolved[choice.name] else { continue }
            let typed = choice.name.trimmingCharacters(in: .whitespacesAndNewlines)
            let own = NicheNormalizer.key(typed) == NicheNormalizer.key(niche.name) ? [] : [typed]
            if let index = listed.firstIndex(where: { $0.niche.id == niche.id }) {
                listed[index].labels += own.filter { !listed[index].labels.contains($0) }
            } else {
                listed.append((niche, choice.level, own.isEmpty ? (oldLabels[niche.id].map { [$0] } ?? []) : own))
            }
        }
        try await db.sql.raw("DELETE FROM profile_niches WHERE profile_id = \(bind: profileID)").run()
        for (position, entry) in listed.enumerated() {
            let label = entry.labels.isEmpty ? nil : String(entry.labels.joined(separator: "; ").prefix(300))
            try await db.sql.insert(into: "profile_niches").columns("profile_id", "niche_id", "level", "position", "label")
                .values(SQLBind(profileID), SQLBind(entry.niche.id), SQLBind(entry.level.rawValue), SQLBind(position + 1), SQLBind(label)).run()
        }
        try await db.sql.raw("DELETE FROM profile_partner_niches WHERE profile_id = \(bind: profileID)").run()
        var wanted = Set<UUID>()
        for typed in input.partnersWanted {
            guard let niche = resolved[typed] else { continue }
            guard wanted.insert(niche.id).inserted else { continue }
            try await db.sql.insert(into: "profile_partner_niches").columns("profile_id", "niche_id")
                .values(SQLBind(profileID), SQLBind(niche.id)).run()
        }
        try await MemberSearchIndex.reindex([profileID], on: db)
        return profile
    }

    /// "ada-lovelace", then "ada-lovelace-2", … (see `FreeSlug`).
    static func uniqueSlug(for name: String, on db: any Database) async throws -> String {
        try await FreeSlug.pick(Slug.make(name).isEmpty ? "member" : Slug.make(name), in: "profiles", on: db)
    }

    /// The form/API view of a saved profile, for editing.
    static func input(from profile: Profile, on db: any Database) async throws -> ProfileInput {
        let detail = try await ProfileDetail.query(slug: profile.slug, on: db)
        var input = ProfileInput()
        input.business = profile.business
        input.headline = profile.headline
        input.bio = profile.bio
        input.website = profile.website
        input.blogURL = profile.blogURL
        input.city = profile.city
        input.remote = profile.remote
        input.availability = profile.availability
        input.awayUntil = profile.awayUntil
        input.niches = detail?.niches.map { .init(name: $0.name, level: NicheLevel(rawValue: $0.level ?? "") ?? .experienced) } ?? []
        input.partnersWanted = detail?.partnersWanted.map(\.name) ?? []
        return input
    }
}

extension NicheLink {
    /// A member's niches and the niches they want partners in; their search and match entries show the
    /// niches' names and synonyms.
    static let profileNiches = NicheLink(owner: "Profiles", table: "profile_niches", shape: .set(key: "profile_id"),
                                         refresh: { ids, db in try await MemberIndexes.refresh(ids, on: db) })
    static let partnerWishes = NicheLink(owner: "Profiles", table: "profile_partner_niches", shape: .set(key: "profile_id"),
                                         refresh: { ids, db in try await MemberIndexes.refresh(ids, on: db) })
}
