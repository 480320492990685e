import Fluent
import Vapor

/// A few accounts to explore Guild with, added only to an empty database.
enum DemoData {
    static let password = "guild-demo-password"

    static func seedIfEmpty(_ app: Application, console: any Console) async throws {
        guard try await User.query(on: app.db).count() == 0 else {
            console.print("Demo data skipped: the database already has accounts.")
            return
        }
        let hash = try await app.password.async.hash(password)
        let people: [(String, String, Role)] = [
            ("Ada Admin", "admin@guild.test", .admin),
            ("Olu Organizer", "organizer@guild.test", .organizer),
            ("Marisol Ortega", "marisol@guild.test", .member),
            ("Dev Kapoor", "dev@guild.test", .member),
            ("Rae Lindqvist", "rae@guild.test", .member),
        ]
        for (name, email, role) in people {
            try await User(name: name, email: email, passwordHash: hash, role: role).create(on: app.db)
        }
        console.print("Demo data added. Sign in as admin@guild.test, organizer@guild.test or marisol@guild.test")
        console.print("with the password \(password).")
    }
}
