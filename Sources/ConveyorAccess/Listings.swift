import ConveyorCore

/// The users as listed by `conveyor user list --json` and `GET /api/v1/users`.
public struct UserList: Codable, Sendable {
    public let users: [User]
    public init(users: [User]) { self.users = users }
}

/// A new account and the only copy of its token, from `conveyor user add` and `POST /api/v1/users`.
public struct CreatedUser: Codable, Sendable {
    public let user: User
    public let token: String
    public init(user: User, token: String) {
        self.user = user
        self.token = token
    }
}

/// Audit entries as listed by `conveyor audit --json` and `GET /api/v1/audit`, newest first.
public struct AuditList: Codable, Sendable {
    public let entries: [AuditEntry]
    public init(entries: [AuditEntry]) { self.entries = entries }
}
