/// One entry of an MC request's history: a state it entered, who moved it and why.
public struct MonteCarloRequestChange: Codable, Sendable, Equatable {
    public var from: MonteCarloRequestState?
    public var to: MonteCarloRequestState
    public var at: Timestamp
    public var by: String
    public var reason: String

    public init(from: MonteCarloRequestState?, to: MonteCarloRequestState, at: Timestamp = .now, by: String, reason: String) {
        self.from = from
        self.to = to
        self.at = at
        self.by = by
        self.reason = reason
    }
}
