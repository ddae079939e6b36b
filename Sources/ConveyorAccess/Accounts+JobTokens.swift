import ConveyorCore
import ConveyorStore

extension Accounts {
    /// The principal that jobs read conditions as: a viewer, never a person.
    public static let jobPrincipal = "conveyor-jobs"
    /// Job tokens carry their own prefix, so that the server knows them for sessions, not API tokens.
    public static let jobTokenPrefix = "cvj_"

    /// A short-lived, read-only token for jobs that look their conditions up over HTTP: a session
    /// of ``jobPrincipal`` (a viewer), stored hashed, that ends by itself after `lifetime` and
    /// ends at once when the principal is revoked. The job principal is made on first use.
    ///
    /// ```swift
    /// let token = try await accounts.startJobSession(lifetime: .seconds(48 * 3600), for: "pool kekcc")
    /// // the job sends "Authorization: Bearer \(token)" to /api/v1/resolve
    /// ```
    public func startJobSession(lifetime: Duration, for purpose: String) async throws(ConveyorError) -> String {
        let id = Self.jobTokenPrefix + String(AccessToken.generate().secret.dropFirst(AccessToken.prefix.count))
        let now = Timestamp.now
        let expires = Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + lifetime.components.seconds * 1_000_000)
        let actor = Actor(name: "scheduler", role: .manager)
        try await store.write { session in
            if try await session.user(named: Self.jobPrincipal) == nil {
                // Nobody holds its API token: it signs in only through job sessions.
                _ = try await session.insertUser(
                    name: Self.jobPrincipal, role: .viewer, tokenHash: AccessToken.hash(of: AccessToken.generate().secret),
                    createdAt: now, createdBy: actor.name)
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "users.add", subjectKind: "user", subject: Self.jobPrincipal,
                        detail: "viewer for jobs' conditions lookups"))
            }
            try await session.insertSession(idHash: AccessToken.hash(of: id), user: Self.jobPrincipal, at: now, expiresAt: expires)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "session.start", subjectKind: "user", subject: Self.jobPrincipal,
                    detail: "job token for \(purpose) until \(expires.short)"))
        }
        return id
    }
}
