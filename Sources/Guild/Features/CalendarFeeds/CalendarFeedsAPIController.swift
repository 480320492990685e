import Foundation
import OpenAPIRuntime
import Vapor

/// The personal calendar feed through the API: make (or renew) its secret address, or turn it off.
extension GuildAPI {
    func createCalendarFeed(_ input: Operations.CreateCalendarFeed.Input) async throws -> Operations.CreateCalendarFeed.Output {
        let request = try req
        let me = try await APIAuth.requireUser(request).requireID()
        let url = try await CalendarFeeds.reset(me, baseURL: request.application.guildConfig.baseURL, on: request.db)
        return .created(.init(body: .json(.init(url: url))))
    }

    func deleteCalendarFeed(_ input: Operations.DeleteCalendarFeed.Input) async throws -> Operations.DeleteCalendarFeed.Output {
        let request = try req
        try await CalendarFeeds.revoke(try await APIAuth.requireUser(request).requireID(), on: request.db)
        return .noContent(.init())
    }
}
