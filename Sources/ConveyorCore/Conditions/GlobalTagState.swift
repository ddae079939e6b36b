/// The life of a global tag, with exactly the Belle II transitions:
/// OPEN → TESTING | RUNNING; TESTING → VALIDATED | OPEN; VALIDATED → PUBLISHED | OPEN;
/// PUBLISHED → INVALID; INVALID is final.
public enum GlobalTagState: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "global tag state"
    public static let isUppercase = true

    case open = "OPEN"
    case testing = "TESTING"
    case validated = "VALIDATED"
    case running = "RUNNING"
    case published = "PUBLISHED"
    case invalid = "INVALID"

    public var description: String { rawValue }

    public var allowedNextStates: [GlobalTagState] {
        switch self {
        case .open: [.testing, .running]
        case .testing: [.validated, .open]
        case .validated: [.published, .open]
        case .published: [.invalid]
        case .running, .invalid: []
        }
    }

    public func canMove(to next: GlobalTagState) -> Bool { allowedNextStates.contains(next) }

    /// Only OPEN tags accept free edits (uploads, IoV removal, deletion).
    public var acceptsFreeEdits: Bool { self == .open }

    /// Moving into these states cannot be undone, so the tag's name must be typed again.
    public var needsConfirmation: Bool { self == .published || self == .invalid }

    /// Whether jobs may read the tag: never INVALID; OPEN only when asked explicitly.
    public func isUsable(allowOpen: Bool) -> Bool {
        switch self {
        case .invalid: false
        case .open: allowOpen
        default: true
        }
    }

}

/// What a global tag is for.
public enum GlobalTagType: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "global tag type"
    public static let isUppercase = true

    case dev = "DEV"
    case release = "RELEASE"
    case data = "DATA"
    case mc = "MC"

    public var description: String { rawValue }
}
