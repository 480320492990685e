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
        let niches = [["event catering", "boxed lunches"], ["brand identity design"], ["restaurant marketing", "local seo"],
                      ["crm implementation", "marketing automation"], ["real estate photography", "aerial drone photography"]]
        for ((name, email, role), nicheNames) in zip(people, niches) {
            let user = User(name: name, email: email, passwordHash: hash, role: role)
            try await user.create(on: app.db)
            var profile = ProfileInput()
            profile.business = "\(name.split(separator: " ").last ?? "") Studio"
            profile.headline = "Demo member: \(nicheNames.joined(separator: " and "))"
            profile.bio = "A demo account. **Markdown** works here; so does a [link](https://example.org)."
            profile.city = "Austin, TX"
            profile.niches = nicheNames.map { .init(name: $0, level: .expert) }
            try await Profiles.save(profile, for: user, on: app.db)
        }
        try await DemoNetworkWriter.write(members: 300, seed: 1, app: app)
        console.print("Demo data added: 5 named accounts and 300 generated members. Sign in as admin@guild.test, organizer@guild.test or marisol@guild.test")
        console.print("with the password \(password).")
    }
}
