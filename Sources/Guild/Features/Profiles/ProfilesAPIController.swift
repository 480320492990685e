import Fluent
import OpenAPIRuntime
import Vapor

extension GuildAPI {
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
            guard let date = CalendarDay.parse(day) else {
                throw CommonError.invalidField(.init(field: "awayUntil", message: "Write the date as YYYY-MM-DD, a year from 2000 to 2099."))
            }
            profile.awayUntil = date
        }
        let saved = try await Profiles.save(profile, for: user, on: request.db)
        guard let detail = try await ProfileDetail.query(slug: saved.slug, on: request.db) else { throw CommonError.notFound }
        return .ok(.init(body: .json(.init(detail))))
    }
}

extension Components.Schemas.Member {
    init(_ detail: ProfileDetail) {
        self.init(
            slug: detail.slug, name: detail.name, business: detail.business, headline: detail.headline, bio: detail.bio,
            bioHtml: detail.bioHTML, website: detail.website, blogUrl: detail.blogURL, city: detail.city,
            remote: detail.remote, availability: AvailabilityPayload(rawValue: detail.availability) ?? .available,
            awayUntil: detail.awayUntil.map(CalendarDay.string),
            niches: detail.niches.map(Components.Schemas.NicheRef.init),
            partnersWanted: detail.partnersWanted.map(Components.Schemas.NicheRef.init))
    }
}
