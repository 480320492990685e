import Fluent
import SQLKit
import Validation
import Vapor

/// What a person can do with their account; the web pages and the JSON API both call these.
enum Accounts {
    static func signUp(name: String, email: String, password: String, on req: Request) async throws -> User {
        let name = try AccountRules.name(name).orThrow()
        let email = try AccountRules.email(email).orThrow()
        let password = try AccountRules.password(password).orThrow()
        try await Throttle.signUpPerIP.consume("signup:ip:\(req.clientIP)", on: req.db)
        if try await User.find(email: email, on: req.db) != nil { throw AccountsError.emailTaken }
        let hash = try await req.password.async.hash(password)
        let user = User(name: name, email: email, passwordHash: hash)
        do {
            try await user.create(on: req.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AccountsError.emailTaken  // lost a race with a concurrent sign-up
        }
        return user
    }

    /// Checks the password, throttled per IP address and per account. The attempt is counted
    /// before the password is checked, so concurrent guesses cannot overtake the limit.
    static func authenticate(email rawEmail: String, password: String, on req: Request) async throws -> User {
        let email = rawEmail.trimmingWhitespace().lowercased()
        let ipBucket = "signin:ip:\(req.clientIP)", accountBucket = "signin:account:\(email)"
        let user = try await User.find(email: email, on: req.db)
        let attempts: [UUID]
        if let user, let device = try await SignInDevices.trusted(req, for: user.requireID()) {
            // A browser that signed in to this account before: its own count, untouched by failures elsewhere.
            attempts = try await Throttle.consume([(.signInPerDevice, "signin:device:\(device)"), (.signInPerIP, ipBucket)], on: req.db)
        } else {
            do {
                attempts = try await Throttle.consume([(.signInPerAccount, accountBucket), (.signInPerIP, ipBucket)], on: req.db)
            } catch CommonError.throttled(let seconds) {
                // The account is locked by failures; an address that never failed still gets one check a
                // lockout, so guessing from elsewhere cannot keep its owner out.
                guard try await Throttle.count(ipBucket, within: Throttle.signInPerIP.window, on: req.db) == 0 else {
                    throw CommonError.throttled(retryAfter: seconds)
                }
                // At most `signInLockedChecks` such checks per account while locked, however many addresses ask.
                attempts = try await Throttle.consume([(.signInLockedOut, "signin:locked:\(email):\(req.clientIP)"),
                                                       (.signInLockedChecks, "signin:locked:\(email)"), (.signInPerIP, ipBucket)], on: req.db)
            }
        }
        guard let user, let hash = user.passwordHash else {
            // Hash anyway so the response time does not tell which addresses have accounts.
            _ = try? await req.password.async.verify(password, created: req.application.dummyPasswordHash)
            throw user == nil ? AccountsError.wrongCredentials : AccountsError.noPasswordYet
        }
        guard try await req.password.async.verify(password, created: hash) else {
            throw AccountsError.wrongCredentials
        }
        try await Throttle.clear(accountBucket, on: req.db)
        try await Throttle.forget(attempts[attempts.count - 1], on: req.db)
        return user
    }

    /// Starts a browser session with a fresh id and returns the cookie value.
    static func startSession(for user: User, on req: Request) async throws -> String {
        let token = SecureToken.generate()
        try await UserSession(tokenHash: SecureToken.hash(token), userID: user.requireID()).create(on: req.db)
        return token
    }

    static func endSession(_ session: UserSession, on db: any Database) async throws {
        try await session.delete(on: db)
    }

    /// Queues a reset email if the address has an account; says nothing either way.
    static func requestPasswordReset(email rawEmail: String, on req: Request) async throws {
        let email = try AccountRules.email(rawEmail).orThrow()
        let ipBucket = "reset:ip:\(req.clientIP)", accountBucket = "reset:account:\(email)"
        try await Throttle.consume([(.resetPerAccount, accountBucket), (.resetPerIP, ipBucket)], on: req.db)
        guard let user = try await User.find(email: email, on: req.db) else { return }
        let token = try await PasswordReset.issue(for: user.requireID(), purpose: .reset, on: req.db)
        let link = "\(req.application.guildConfig.baseURL)/password/reset/\(token)"
        try await Outbox.enqueue(
            to: user.email, subject: "Reset your Guild password",
            body: """
                Hello \(user.name),

                Someone (hopefully you) asked to reset the password of your Guild account.
                Open this link within an hour to choose a new password:

                \(link)

                The link works once. If you did not ask for this, ignore this email: your password stays as it is.
                """, for: .account, on: req.db)
    }

    /// Sets a new password from a single-use link, signs out every session and revokes every API token.
    static func resetPassword(token: String, newPassword: String, on req: Request) async throws -> User {
        let password = try AccountRules.password(newPassword).orThrow()
        let hash = try await req.password.async.hash(password)
        return try await req.db.writeTransaction { db in
            guard let reset = try await PasswordReset.findUsable(token: token, on: db),
                let user = try await User.find(reset.$user.id, on: db)
            else { throw AccountsError.resetLinkUnusable }
            reset.usedAt = Date()
            try await reset.save(on: db)
            user.passwordHash = hash
            try await user.save(on: db)
            // The account may have been taken: every way in ends with the old password.
            try await UserSession.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            try await APIToken.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            // A browser that signed in before the reset (perhaps whoever took the account) is a stranger again.
            try await SignInDevices.forget(try user.requireID(), on: db)
            return user
        }
    }

    /// Changes the password and ends every other session of the account; revokes its API tokens if asked.
    static func changePassword(
        user: User, current: String, new: String, keeping session: UserSession?, revokingTokens: Bool = false,
        on req: Request
    ) async throws {
        guard let hash = user.passwordHash, try await req.password.async.verify(current, created: hash) else {
            throw AccountsError.wrongCurrentPassword
        }
        let password = try AccountRules.password(new, field: "new_password").orThrow()
        user.passwordHash = try await req.password.async.hash(password)
        let keep = session?.id
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            var others = try UserSession.query(on: db).filter(\.$user.$id == user.requireID())
            if let keep { others = others.filter(\.$id != keep) }
            try await others.delete()
            if revokingTokens { try await APIToken.query(on: db).filter(\.$user.$id == user.requireID()).delete() }
        }
    }

    /// Deletes the account; sessions, tokens and links go with it (foreign keys cascade).
    static func delete(_ user: User, password: String, on req: Request) async throws {
        if let hash = user.passwordHash {
            guard try await req.password.async.verify(password, created: hash) else {
                throw AccountsError.wrongCurrentPassword
            }
        }
        let userID = try user.requireID()
        try await req.db.writeTransaction { db in
            try await MemberSearchIndex.remove(userID: userID, on: db)
            try await User.query(on: db).filter(\.$id == userID).delete()
        }
    }
}

/// What other features may change about an account; `users` is written here and nowhere else.
extension Accounts {
    /// An admin gives a member a role.
    static func setRole(_ user: User, _ role: Role, on db: any Database) async throws {
        user.role = role
        try await user.save(on: db)
    }

    /// The addresses among these that already have an account.
    static func existingEmails(_ emails: [String], on db: any Database) async throws -> Set<String> {
        Set(try await User.query(on: db).filter(\.$email ~~ emails).all().map(\.email))
    }

    /// A roster's row: the account with this address renamed to the roster's name, or a new account
    /// without a password whose owner is invited by email to choose one (the link lasts 7 days).
    /// Call inside a transaction that holds the lock `user:<email>`.
    static func findOrInvite(name: String, email: String, baseURL: String, on db: any Database) async throws -> (user: User, created: Bool) {
        if let found = try await User.find(email: email, on: db) {
            found.name = name
            try await found.save(on: db)
            return (found, false)
        }
        let user = User(name: name, email: email, passwordHash: nil)
        try await user.create(on: db)
        let token = try await PasswordReset.issue(for: user.requireID(), purpose: .invitation, on: db)
        try await Outbox.enqueue(to: user.email, subject: "You are invited to Guild", body: """
            Hello \(user.name),

            Your circle added you to Guild, an open referral network for small business owners.
            Your profile is ready; choose a password within 7 days to sign in and check it:

            \(baseURL)/password/reset/\(token)
            """, for: .account, on: db)
        return (user, true)
    }
}

extension Accounts {
    struct NameAndEmail: Decodable, Sendable { var id: UUID; var name: String; var email: String }

    /// The names and sign-in addresses of these accounts, by id (unknown ids are left out).
    static func namesAndEmails(_ ids: [UUID], on db: any Database) async throws -> [UUID: NameAndEmail] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT id, name, email FROM users WHERE id IN (\(SQLList(Array(Set(ids)).map { SQLBind($0) })))
            """).all(decoding: NameAndEmail.self)
        return Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

extension Accounts {
    /// Every admin's id.
    static func admins(on db: any Database) async throws -> [UUID] {
        struct Row: Decodable { var id: UUID }
        return try await db.sql.raw("SELECT id FROM users WHERE role = 'admin'").all(decoding: Row.self).map(\.id)
    }
}

extension Accounts {
    /// The accounts with these sign-in addresses (as stored: lower case).
    static func ids(withEmails emails: [String], on db: any Database) async throws -> [UUID] {
        guard !emails.isEmpty else { return [] }
        struct Row: Decodable { var id: UUID }
        return try await db.sql.raw("SELECT id FROM users WHERE email IN (\(binds: emails))").all(decoding: Row.self).map(\.id)
    }
}

extension Accounts {
    /// All accounts counted, and one page of them, newest first (the admin page).
    static func newestFirst(page: Int, perPage: Int, on db: any Database) async throws -> (count: Int, users: [User]) {
        (try await User.query(on: db).count(),
         try await User.query(on: db).sort(\.$createdAt, .descending).range(((page - 1) * perPage)..<(page * perPage)).all())
    }

    /// A member's API tokens, newest first.
    static func tokens(of userID: UUID, on db: any Database) async throws -> [APIToken] {
        try await APIToken.query(on: db).filter(\.$user.$id == userID).sort(\.$createdAt, .descending).all()
    }

    /// Deletes one of the member's tokens; nil when they have no token with this id (another member's included).
    static func revokeToken(_ id: UUID, of userID: UUID, on db: any Database) async throws -> APIToken? {
        guard let token = try await APIToken.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first() else { return nil }
        try await token.delete(on: db)
        return token
    }
}
