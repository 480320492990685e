import Fluent
import OpenAPIRuntime
import Vapor

extension GuildAPI {
    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        let query = input.query
        let page = try Self.checkedPage(query.page)
        for (field, value, limit) in [("q", query.q, 200), ("niche", query.niche, 80), ("city", query.city, 100)] {
            if let value, value.unicodeScalars.count > limit {
                throw CommonError.invalidParameter(.init(field: field, message: "\(field) must be at most \(limit) characters."))
            }
        }
        let results = try await DirectorySearch.search(
            DirectoryQuery(q: query.q ?? "", niche: query.niche, city: query.city, remote: query.remote,
                           available: query.available, page: page),
            on: req.db, cache: req.application.searchCache)
        return .ok(.init(body: .json(.init(
            items: results.items.map(Components.Schemas.MemberSummary.init), total: results.total, page: results.page,
            correctedTo: results.correctedTo, suggestions: results.suggestions.map(Components.Schemas.NicheRef.init)))))
    }

    func getMember(_ input: Operations.GetMember.Input) async throws -> Operations.GetMember.Output {
        guard let detail = try await ProfileDetail.cached(slug: input.path.slug, for: req) else { throw CommonError.notFound }
        return .ok(.init(body: .json(.init(detail))))
    }

    func updateMyProfile(_ input: Operations.UpdateMyProfile.Input) async throws -> Operations.UpdateMyProfile.Output {
        let request = try req
        let user = try await APIAuth.requireUser(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        // The generator reads a JSON null in these enums as an empty value; only a real null may mean "not given".
        if let availability = body.availability, Availability(rawValue: availability.rawValue) == nil {
            throw CommonError.invalidParameter(.init(field: "availability", message: "availability must be available, busy or away."))
        }
        if body.niches.contains(where: { $0.level.map { NicheLevel(rawValue: $0.rawValue) == nil } ?? false }) {
            throw CommonError.invalidParameter(.init(field: "niches.level", message: "level must be expert, experienced or learning."))
        }
        var profile = ProfileInput()
        profile.business = body.business ?? ""
        profile.headline = body.headline ?? ""
        profile.bio = body.bio ?? ""
        profile.website = body.website ?? ""
        profile.blogURL = body.blogUrl ?? ""
        profile.city = body.city ?? ""
        profile.remote = body.remote ?? false
        profile.niches = body.niches.map {
            .init(name: $0.name, level: NicheLevel(rawValue: $0.level?.rawValue ?? "") ?? .experienced)
        }
        profile.partnersWanted = body.partnersWanted ?? []
        profile.availability = Availability(rawValue: body.availability?.rawValue ?? "") ?? .available
        if let day = body.awayUntil {
            guard let date = ProfileEditPage.day(from: day) else {
                throw CommonError.invalidField(.init(field: "awayUntil", message: "Write the date as YYYY-MM-DD, a year from 2000 to 2099."))
            }
            profile.awayUntil = date
        }
        let saved = try await Profiles.save(profile, for: user, on: request.db)
        guard let detail = try await ProfileDetail.query(slug: saved.slug, on: request.db) else { throw CommonError.notFound }
        return .ok(.init(body: .json(.init(detail))))
    }

    func listNiches(_ input: Operations.ListNiches.Input) async throws -> Operations.ListNiches.Output {
        let index = try await NicheIndex.query(on: req.db)
        let items = index.categories.flatMap { category in
            category.niches.map {
                Components.Schemas.NicheSummary(
                    slug: $0.slug, name: $0.name, category: category.slug == "added-by-members" ? nil : category.name,
                    members: $0.members)
            }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getNiche(_ input: Operations.GetNiche.Input) async throws -> Operations.GetNiche.Output {
        let page = try Self.checkedPage(input.query.page)
        return .ok(.init(body: .json(try await Self.nicheDetail(input.path.slug, page: page, on: req.db))))
    }

    func mergeNiche(_ input: Operations.MergeNiche.Input) async throws -> Operations.MergeNiche.Output {
        let request = try req
        try await APIAuth.requireOrganizer(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        let target = try await Niches.merge(slug: input.path.slug, into: body.into, on: request.db)
        return .ok(.init(body: .json(try await Self.nicheDetail(target.slug, on: request.db))))
    }

    func addNicheSynonym(_ input: Operations.AddNicheSynonym.Input) async throws -> Operations.AddNicheSynonym.Output {
        let request = try req
        try await APIAuth.requireOrganizer(request)
        guard case .json(let body) = input.body else { throw CommonError.badRequest("Send a JSON body.") }
        try await Niches.addSynonym(body.synonym, toSlug: input.path.slug, on: request.db)
        return .ok(.init(body: .json(try await Self.nicheDetail(input.path.slug, on: request.db))))
    }

    static func nicheDetail(_ slug: String, page: Int = 1, on db: any Database) async throws -> Components.Schemas.NicheDetail {
        guard let niche = try await NicheDetail.query(slug: slug, page: page, on: db) else { throw CommonError.notFound }
        return .init(
            slug: niche.slug, name: niche.name, category: niche.categoryName, mergedInto: niche.mergedIntoSlug,
            synonyms: niche.aliases,
            clientWords: niche.clientWords.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) },
            members: niche.members.map(Components.Schemas.MemberSummary.init), total: niche.total, page: page,
            related: niche.related.map(Components.Schemas.NicheRef.init))
    }

    static func checkedPage(_ page: Int?) throws -> Int {
        guard let page else { return 1 }
        guard (1...10_000).contains(page) else {
            throw CommonError.invalidParameter(.init(field: "page", message: "page must be from 1 to 10000."))
        }
        return page
    }
}

extension Components.Schemas.NicheRef {
    init(_ tag: NicheTag) {
        self.init(slug: tag.slug, name: tag.name, level: tag.level.flatMap(LevelPayload.init(rawValue:)))
    }
}

extension Components.Schemas.MemberSummary {
    init(_ member: MemberSummary) {
        self.init(slug: member.slug, name: member.name, business: member.business, headline: member.headline,
                  city: member.city, niches: member.niches.map(Components.Schemas.NicheRef.init))
    }
}

extension Components.Schemas.Member {
    init(_ detail: ProfileDetail) {
        self.init(
            slug: detail.slug, name: detail.name, business: detail.business, headline: detail.headline, bio: detail.bio,
            bioHtml: detail.bioHTML, website: detail.website, blogUrl: detail.blogURL, city: detail.city,
            remote: detail.remote, availability: AvailabilityPayload(rawValue: detail.availability) ?? .available,
            awayUntil: detail.awayUntil.map(ProfileEditPage.dayFormatter.string(from:)),
            niches: detail.niches.map(Components.Schemas.NicheRef.init),
            partnersWanted: detail.partnersWanted.map(Components.Schemas.NicheRef.init))
    }
}
