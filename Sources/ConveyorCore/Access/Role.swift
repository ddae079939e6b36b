/// What a person may do in Conveyor, from least to most.
///
/// Roles are ordered: a role satisfies every requirement at or below its own level, so a
/// `manager` may do what an `expert` may, and an `admin` may do everything.
///
/// ```swift
/// Role.manager.satisfies(.expert)   // true
/// Role.viewer.satisfies(.expert)    // false
/// ```
public enum Role: String, CaseIterable, Codable, Sendable, Comparable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "role"
    public static let isUppercase = false

    /// Reads everything: run lists, tags, workflow state, the audit log.
    case viewer
    /// Uploads payloads into OPEN tags, flags run quality, signs off own calibrations.
    case expert
    /// Changes tag states, runs running updates, submits processing requests.
    case manager
    /// Manages users and everything else.
    case admin

    private var level: Int {
        switch self {
        case .viewer: 0
        case .expert: 1
        case .manager: 2
        case .admin: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.level < rhs.level }

    /// Whether someone holding this role may do what `required` protects.
    public func satisfies(_ required: Role) -> Bool { self >= required }

    public var description: String { rawValue }
}
