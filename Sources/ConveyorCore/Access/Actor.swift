/// Whoever performs a change: recorded in the audit log and checked against the required role.
///
/// The command line acting directly on a database is the local operating-system user, with admin
/// rights (whoever can write the database file or holds its PostgreSQL credentials can do anything
/// anyway); it is recorded as `local:NAME` so that it is never confused with an API user.
public struct Actor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name written to the audit log.
    public let name: String
    public let role: Role
    /// Responsibilities held (from the directory's groups or set by an admin), e.g. `ecl_gains`.
    public let responsibilities: [String]

    public init(name: String, role: Role, responsibilities: [String] = []) {
        self.name = name
        self.role = role
        self.responsibilities = responsibilities
    }

    /// An authenticated API user.
    public init(user: User) {
        self.init(name: user.name, role: user.role, responsibilities: user.responsibilities)
    }

    /// Whether this actor is one of `names`, by their own name or a responsibility they hold.
    ///
    /// ```swift
    /// Actor(name: "alice", role: .expert, responsibilities: ["ecl_gains"]).isAmong(["ecl_gains"])   // true
    /// ```
    public func isAmong(_ names: [String]) -> Bool {
        names.contains(name) || names.contains { responsibilities.contains($0) }
    }

    /// The operating-system user running the command line against the database directly.
    public static func localOperator(named osUser: String) -> Actor {
        Actor(name: "local:\(osUser)", role: .admin)
    }

    public var description: String { name }

    /// Throws ``ConveyorError/forbidden(_:)`` unless this actor holds `required` or more.
    public func require(_ required: Role, to action: String) throws(ConveyorError) {
        guard role.satisfies(required) else {
            throw .forbidden("\(action) needs role \(required), and \(name) is \(role)")
        }
    }
}
