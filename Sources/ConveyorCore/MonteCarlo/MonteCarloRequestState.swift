/// Where an MC request stands, as seed 001's campaign tables colour their rows: filed by a
/// physics group's liaison, approved by the MC manager, ready once a test job ran its generator
/// configuration ("scripts committed, ready for production"), submitted, produced, and released
/// for analysis; or rejected, or removed.
public enum MonteCarloRequestState: String, Codable, Sendable, CaseIterable, NamedValueSet {
    public static let valueKind = "MC request state"
    public static let isUppercase = false

    case requested
    case approved
    /// A test job generated events with the request's configuration.
    case ready
    case submitted
    /// Every job's events are registered.
    case produced
    case released
    case rejected
    case removed

    /// The states a request may move to from this one by a person's decision (`produced` is
    /// reached by the accountant alone, `ready` and `submitted` by the test and the submission).
    public var decisions: [MonteCarloRequestState] {
        switch self {
        case .requested: [.approved, .rejected, .removed]
        case .approved: [.rejected, .removed]
        case .ready: [.rejected, .removed]
        case .submitted: [.removed]
        case .produced: [.released, .removed]
        case .released: [.removed]
        case .rejected, .removed: []
        }
    }

    /// Whether the request's configuration may still change.
    public var isOpenForChanges: Bool { self == .requested || self == .approved || self == .ready }

    /// Whether it holds or will hold events (counts as a duplicate of an equal new request).
    public var isLive: Bool { self != .rejected && self != .removed }

    /// Seed 001's key for the state, shown beside its colour.
    public var key: String {
        switch self {
        case .requested: "requested by the group, awaiting the MC manager"
        case .approved: "approved, awaiting its test job"
        case .ready: "scripts committed, ready for production"
        case .submitted: "jobs submitted"
        case .produced: "produced, awaiting release"
        case .released: "released for analysis use"
        case .rejected: "rejected"
        case .removed: "not produced or removed"
        }
    }

    /// Refuses a person's move that the states do not allow, in one line.
    public func requireDecision(to next: MonteCarloRequestState) throws(ConveyorError) {
        guard decisions.contains(next) else {
            let allowed = decisions.isEmpty ? "none: it is final" : decisions.map(\.rawValue).joined(separator: ", ")
            throw .conflict("an MC request cannot go from \(rawValue) to \(next.rawValue) by hand (from \(rawValue): \(allowed))")
        }
    }
}
