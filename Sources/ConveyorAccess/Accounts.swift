import ConveyorCore
import ConveyorStore

/// Users, their API tokens and roles: adding and revoking accounts, and authenticating requests.
///
/// ```swift
/// let accounts = Accounts(store: store)
/// let (user, token) = try await accounts.addUser(named: "alice", role: .expert, by: .localOperator(named: "root"))
/// print(token.secret)                                  // shown once, never stored
/// let actor = try await accounts.authenticate(bearer: token.secret)   // Actor(alice, expert)
/// ```
public struct Accounts: Sendable {
    public let store: Store
    let tokenCache: TokenCache?

    /// - Parameter tokenCache: a server shares one between requests; commands need none.
    public init(store: Store, tokenCache: TokenCache? = nil) {
        self.store = store
        self.tokenCache = tokenCache
    }

    /// Creates a user and returns the only copy of their token. Needs `admin`.
    public func addUser(named name: String, role: Role, by actor: Actor) async throws(ConveyorError) -> (User, AccessToken) {
        try actor.require(.admin, to: "adding a user")
        try User.validate(name: name)
        let token = AccessToken.generate()
        let user = try await store.write { session in
            let user = try await session.insertUser(
                name: name, role: role, tokenHash: token.hash, createdAt: .now, createdBy: actor.name
            )
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "user.add", subjectKind: "user", subject: name, detail: "role \(role)"
                ))
            return user
        }
        return (user, token)
    }

    /// Revokes a user's token. Needs `admin`; revoking twice is refused.
    public func revokeUser(named name: String, by actor: Actor) async throws(ConveyorError) -> User {
        try actor.require(.admin, to: "revoking a user")
        // An admin who revokes their own token locks themselves out; another admin (or the local operator) does it.
        guard actor.name != name else { throw .conflict("\(name) cannot revoke their own account; another admin can") }
        let revoked = try await store.write { session in
            guard var user = try await session.user(named: name) else {
                throw ConveyorError.notFound("no user named '\(name)'")
            }
            guard user.isActive else {
                throw ConveyorError.conflict("user '\(name)' was already revoked at \(user.revokedAt!)")
            }
            let now = Timestamp.now
            try await session.revokeUser(named: name, at: now)
            try await session.endSessions(ofUser: name, at: now)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "user.revoke", subjectKind: "user", subject: name
                ))
            user.revokedAt = now
            return user
        }
        tokenCache?.clear()
        return revoked
    }

    /// Sets a user's e-mail address (nil or empty: none) and responsibilities. Needs `admin`, or the
    /// user themselves for their own e-mail address.
    public func setContact(of name: String, email: String?, responsibilities: [String]?, by actor: Actor) async throws(ConveyorError) -> User {
        let email = email?.trimmingCharacters(in: .whitespaces)
        if let email, !email.isEmpty, !NotificationSettings.isEmailAddress(email) { throw .invalidInput("'\(email)' is not an e-mail address") }
        if responsibilities != nil || actor.name != name { try actor.require(.admin, to: "setting another user's e-mail or anyone's responsibilities") }
        for responsibility in responsibilities ?? [] where !DataTakingConfiguration.isName(responsibility) {
            throw .invalidInput("responsibility '\(responsibility)' may hold only letters, digits, '-' and '_' (up to 40)")
        }
        let updated = try await store.write { session in
            guard var user = try await session.user(named: name) else { throw ConveyorError.notFound("no user named '\(name)'") }
            if email != nil { user.email = email?.isEmpty == true ? nil : email }
            if let responsibilities {
                guard user.source != "directory" else {
                    throw ConveyorError.conflict("\(name) comes from the directory, whose groups set their responsibilities at each sign-in")
                }
                user.responsibilities = responsibilities
            }
            try await session.updateUser(named: name, email: user.email, responsibilities: user.responsibilities)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "user.contact", subjectKind: "user", subject: name,
                    detail: "e-mail \(user.email ?? "none"), responsibilities [\(user.responsibilities.joined(separator: ","))]"))
            return user
        }
        tokenCache?.clear()
        return updated
    }

    public func users(includeRevoked: Bool = true) async throws(ConveyorError) -> [User] {
        try await store.read { try await $0.users(includeRevoked: includeRevoked) }
    }

    /// The actor a bearer token stands for.
    ///
    /// - Throws: ``ConveyorError/unauthenticated(_:)`` for an unknown or revoked token.
    public func authenticate(bearer secret: String) async throws(ConveyorError) -> Actor {
        let hash = AccessToken.hash(of: secret)
        if let cached = tokenCache?.actor(forHash: hash) { return cached }
        guard let user = try await store.read({ try await $0.activeUser(tokenHash: hash) }) else {
            throw .unauthenticated("the token is not valid (unknown or revoked)")
        }
        let actor = Actor(user: user)
        tokenCache?.remember(actor, forHash: hash)
        return actor
    }
}
