import ConveyorCore
import ConveyorStore

/// What people and admins see of notifications: each person's preferences, and for the admin
/// the outbox (what was sent, what waits for a retry, what was given up or could not be sent),
/// failed sign-ins and the people no e-mail reaches.
///
/// ```swift
/// let notifications = Notifications(store: store)
/// try await notifications.setPreferences(.init(email: true, chat: false, digest: true), of: "alice", by: alice)
/// let outbox = try await notifications.outbox(state: .failed, by: admin)
/// ```
public struct Notifications: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// The admin's view of the outbox.
    public struct Outbox: Sendable, Codable {
        public var counts: [String: Int]
        public var messages: [NotificationMessage]
        /// Active users without an e-mail address: e-mail cannot reach them.
        public var withoutEmail: [String]
        public var signInFailures: [SignInFailure]
    }

    public struct SignInFailure: Sendable, Codable {
        public var at: Timestamp
        public var user: String
        public var address: String
        public var reason: String
    }

    /// The outbox, newest first (of one state when given). Needs `admin`.
    public func outbox(state: NotificationMessage.State? = nil, limit: Int = 200, by actor: Actor) async throws(ConveyorError) -> Outbox {
        try actor.require(.admin, to: "reading the notification outbox")
        return try await store.read { session in
            let counts = try await session.notificationCounts()
            return Outbox(
                counts: NotificationMessage.State.allCases.reduce(into: [:]) { $0[$1.rawValue] = counts[$1] ?? 0 },
                messages: try await session.notificationMessages(state: state, limit: limit),
                withoutEmail: try await session.users(includeRevoked: false).filter { $0.email == nil }.map(\.name),
                signInFailures: try await session.recentSignInFailures(limit: 50).map {
                    SignInFailure(at: $0.at, user: $0.user, address: $0.address, reason: $0.reason)
                })
        }
    }

    /// A person's preferences (the defaults when they set none). Their own, or anyone's for an admin.
    public func preferences(of user: String, by actor: Actor) async throws(ConveyorError) -> NotificationPreferences {
        if actor.name != user { try actor.require(.admin, to: "reading another user's notification preferences") }
        return try await store.read { try await $0.notificationPreferences()[user] } ?? NotificationPreferences()
    }

    /// Sets a person's preferences: their own, or anyone's for an admin; audited.
    public func setPreferences(_ preferences: NotificationPreferences, of user: String, by actor: Actor) async throws(ConveyorError) {
        if actor.name != user { try actor.require(.admin, to: "setting another user's notification preferences") }
        try await store.write { session in
            guard try await session.user(named: user) != nil else { throw ConveyorError.notFound("no user named '\(user)'") }
            try await session.setNotificationPreferences(preferences, for: user, at: .now)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "notifications.preferences", subjectKind: "user", subject: user,
                    detail: Self.describe(preferences)))
        }
    }

    /// `e-mail, chat; at once; all kinds` and the like.
    public static func describe(_ p: NotificationPreferences) -> String {
        let channels = [p.email ? "e-mail" : nil, p.chat ? "chat" : nil].compactMap { $0 }
        return "\(channels.isEmpty ? "nothing" : channels.joined(separator: ", ")); \(p.digest ? "a daily digest" : "at once"); "
            + (p.kinds.isEmpty ? "all kinds" : p.kinds.map(\.rawValue).joined(separator: ", "))
    }
}
