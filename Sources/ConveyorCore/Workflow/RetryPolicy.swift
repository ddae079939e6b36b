/// How a failed task is tried again (CMS WMAgent's cool-off): wait `base × tries²` seconds, at
/// most `cap`; after `pauseAfter` failed tries wait for a person; after `limit` retries, fail.
///
/// ```swift
/// let policy = RetryPolicy(limit: 3, cooloffBase: 10, cooloffCap: 600, pauseAfter: nil)
/// policy.afterFailure(tries: 1)   // .cooloff(seconds: 10)
/// policy.afterFailure(tries: 2)   // .cooloff(seconds: 40)
/// policy.afterFailure(tries: 4)   // .fail
/// ```
public struct RetryPolicy: Codable, Sendable, Equatable {
    /// Retries after the first try (0: one try only).
    public var limit: Int
    public var cooloffBase: Double
    public var cooloffCap: Double
    /// Pause for a person once this many tries have failed (nil: never).
    public var pauseAfter: Int?

    public init(limit: Int = 0, cooloffBase: Double = 10, cooloffCap: Double = 3_600, pauseAfter: Int? = nil) {
        self.limit = limit
        self.cooloffBase = cooloffBase
        self.cooloffCap = cooloffCap
        self.pauseAfter = pauseAfter
    }

    public enum Decision: Equatable, Sendable {
        case cooloff(seconds: Double)
        case pause
        case fail
    }

    /// What follows the `tries`-th failed try (1 for the first).
    public func afterFailure(tries: Int) -> Decision {
        if tries > limit { return .fail }
        if let pauseAfter, tries >= pauseAfter { return .pause }
        return .cooloff(seconds: min(cooloffBase * Double(tries * tries), cooloffCap))
    }
}
