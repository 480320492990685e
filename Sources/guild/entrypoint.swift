import Foundation
import Guild
import NIOCore
import NIOPosix
import Vapor

@main
enum Entrypoint {
    static func main() async throws {
        // Async handlers then run on the event loops themselves instead of hopping to Swift's own
        // thread pool and back for every request and every database call (see Benchmarks/BENCHMARKS.md).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
            // One line naming the problem, not a crash report.
            FileHandle.standardError.write(Data("guild: \(error)\n".utf8))
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
