/// A person (or robot account) known to Conveyor, identified by a unique name.
///
/// Only the SHA-256 hash of a user's API token is ever stored; see ``AccessToken``.
public struct User: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var createdAt: Timestamp
    /// Who created the account (a user name, or `local:NAME` for the command line).
    public var createdBy: String
    /// Set once the account's token has been revoked; a revoked user can no longer authenticate.
    public var revokedAt: Timestamp?
    /// Where notifications by e-mail go; nil: the person gets none by e-mail.
    public var email: String?
    /// What the person answers for beyond their role (e.g. `ecl_gains`): a sign-off that names a
    /// responsibility waits for everyone who holds it.
    public var responsibilities: [String]
    /// Where the account comes from: `token` (made by an admin) or `directory` (the lab's LDAP,
    /// whose groups set its role and responsibilities at each sign-in).
    public var source: String

    public init(
        id: Int64, name: String, role: Role, createdAt: Timestamp, createdBy: String, revokedAt: Timestamp? = nil, email: String? = nil,
        responsibilities: [String] = [], source: String = "token"
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revokedAt = revokedAt
        self.email = email
        self.responsibilities = responsibilities
        self.source = source
    }

    public var isActive: Bool { revokedAt == nil }

    /// Checks that a proposed user name is usable: 1–64 characters of letters, digits, `.`, `_`, `-`, `@`.
    ///
    /// The `local:` prefix is reserved for operating-system users acting through the command line.
    public static func validate(name: String) throws(ConveyorError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
        guard !name.isEmpty, name.count <= 64 else {
            throw .invalidInput("user name must be 1 to 64 characters long")
        }
        guard name.allSatisfy(allowed.contains) else {
            throw .invalidInput("user name '\(name)' may contain only letters, digits, '.', '_', '-' and '@'")
        }
    }
}
