/// A closed set of names that users type on command lines and in requests: roles, tag states,
/// quality flags, run types…
///
/// Conforming gives `init(parsing:)`, which matches case-insensitively and refuses anything else
/// with the list of valid names:
///
/// ```swift
/// try RunType(parsing: "Physics")   // .physics
/// try RunType(parsing: "party")     // unknown run type 'party' (expected one of: physics, cosmic, beam, debug)
/// ```
public protocol NamedValueSet: CaseIterable, RawRepresentable where RawValue == String {
    /// What a value is called in messages, e.g. "run type".
    static var valueKind: String { get }
    /// Whether the names are written in capitals (GOOD, OPEN) rather than lower case (physics, viewer).
    static var isUppercase: Bool { get }
}

extension NamedValueSet {
    public init(parsing text: String) throws(ConveyorError) {
        guard let value = Self(rawValue: Self.isUppercase ? text.uppercased() : text.lowercased()) else {
            throw .invalidInput("unknown \(Self.valueKind) '\(text)' (expected one of: \(Self.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = value
    }
}
