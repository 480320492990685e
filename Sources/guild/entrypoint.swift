import Foundation
import Guild
import Vapor

@main
enum Entrypoint {
    static func main() async throws {
        var env = try Environment.detect()
        let config: AppConfig
        do {
            config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        try GuildLogging.bootstrap(config.logFormat, environment: &env)
        let app = try await Application.make(env)
        do {
            try await configure(app, config: config)
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
