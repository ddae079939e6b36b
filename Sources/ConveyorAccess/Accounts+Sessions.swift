import ConveyorCore
import ConveyorStore

extension Accounts {
    /// How long a page sign-in lasts.
    public static let sessionLifetime: Duration = .seconds(12 * 3600)

    /// Signs a user in on the pages: checks their token, then starts a session whose id (random,
    /// shown only to the browser, stored hashed) the cookie carries instead of the token itself.
    ///
    /// ```swift
    /// let (actor, sessionID) = try await accounts.startSession(token: form.token)
    /// response.setCookie(Cookie(name: "conveyor_session", value: sessionID, …))
    /// ```
    public func startSession(token: String) async throws(ConveyorError) -> (actor: Actor, sessionID: String) {
        let actor = try await authenticate(bearer: token)
        let id = AccessToken.generate().secret
        let now = Timestamp.now
        let expires = Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + Self.sessionLifetime.components.seconds * 1_000_000)
        try await store.write { session in
            try await session.insertSession(idHash: AccessToken.hash(of: id), user: actor.name, at: now, expiresAt: expires)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "session.start", subjectKind: "user", subject: actor.name,
                    detail: "page sign-in until \(expires.short)"))
        }
        return (actor, id)
    }

    /// The actor of an open session. - Throws: ``ConveyorError/unauthenticated(_:)`` when it
    /// ended (logout, revocation), expired or never existed.
    public func authenticate(session id: String) async throws(ConveyorError) -> Actor {
        guard let user = try await store.read({ try await $0.sessionUser(idHash: AccessToken.hash(of: id), at: .now) }) else {
            throw .unauthenticated("the session has ended; sign in again")
        }
        return Actor(user: user)
    }

    /// Ends a session (logout); ending one that is gone is not an error.
    public func endSession(_ id: String) async throws(ConveyorError) {
        try await store.write { session in
            let now = Timestamp.now
            if let user = try await session.endSession(idHash: AccessToken.hash(of: id), at: now) {
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: Actor(name: user, role: .viewer), action: "session.end", subjectKind: "user",
                        subject: user, detail: "logout"))
            }
        }
    }
}
