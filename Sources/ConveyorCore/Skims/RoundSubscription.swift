/// Whether a selection runs in a round: subscribed by its physics group, or unsubscribed by a
/// person or by the round's automatic tests, always with the reason. Append-only: the newest
/// entry of a selection in a round is in force, the older ones are its history.
///
/// ```swift
/// subscription.state    // .unsubscribed
/// subscription.reason   // "automatic test: retention 12.0 % > limit 5.0 %"
/// ```
public struct RoundSubscription: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "subscription state"
        public static let isUppercase = false
        case subscribed
        case unsubscribed
    }

    /// Who a round's automatic tests act as in a subscription's history.
    public static let testsActor = "round-tests"

    public var round: String
    public var selection: String
    public var state: State
    public var reason: String
    public var at: Timestamp
    public var by: String

    public init(round: String, selection: String, state: State, reason: String, at: Timestamp, by: String) {
        self.round = round
        self.selection = selection
        self.state = state
        self.reason = reason
        self.at = at
        self.by = by
    }
}
