import Fluent
import Foundation
import Vapor

/// The feed's pages: `/calendar` to make, renew or turn off the address; `/calendar/{token}.ics` for calendar apps.
struct CalendarFeedController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let member = routes.grouped(RequireSignInMiddleware())
        member.get("calendar", use: page)
        member.post("calendar", "feed", use: reset)
        member.post("calendar", "feed", "delete", use: revoke)
    }

    struct Page: Encodable {
        var layout: Layout
        var since: String?
        /// Shown once, right after it is made.
        var url: String?
        /// The same as `webcal://`, which calendar apps open as a subscription with one tap.
        var webcal: String? { url.map { "webcal://" + $0.drop(while: { $0 != ":" }).dropFirst(3) } }

        enum CodingKeys: String, CodingKey { case layout, since, url, webcal }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(layout, forKey: .layout)
            try container.encodeIfPresent(since, forKey: .since)
            try container.encodeIfPresent(url, forKey: .url)
            try container.encodeIfPresent(webcal, forKey: .webcal)
        }
    }

    func page(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        let created = try await CalendarFeeds.created(me, on: req.db)
        return try await req.view.render("Events/calendar", Page(
            layout: req.layout(title: "My calendar feed"), since: created.map { EventTimes.brief($0, zone: TimeZone(identifier: "UTC")!) + " UTC" }))
    }

    func reset(req: Request) async throws -> View {
        let me = try req.requireUser().requireID()
        let url = try await CalendarFeeds.reset(me, baseURL: req.application.guildConfig.baseURL, on: req.db)
        return try await req.view.render("Events/calendar", Page(layout: req.layout(title: "My calendar feed"), since: "just now", url: url))
    }

    func revoke(req: Request) async throws -> Response {
        try await CalendarFeeds.revoke(try req.requireUser().requireID(), on: req.db)
        req.flash(.success, "The feed is off: calendars subscribed to it stop getting updates.")
        return req.redirect(to: "/calendar", redirectType: .normal)
    }
}

/// `/calendar/{token}.ics`, read by calendar apps: no session, no cookies; the token is the key.
struct CalendarFeedFileController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("calendar", ":file", use: feed)
    }

    /// Unknown and revoked tokens are the same 404.
    func feed(req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        guard file.hasSuffix(".ics"), let user = try await CalendarFeeds.owner(of: String(file.dropLast(4)), on: req.db) else {
            throw Abort(.notFound, reason: "There is no such calendar feed; it may have been turned off.")
        }
        let response = EventCalendar.response(try await CalendarFeeds.feed(for: user, baseURL: req.application.guildConfig.baseURL, on: req.db),
                                              filename: "guild")
        // A secret address: not for shared caches or the Referer of anything it links to.
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }
}
