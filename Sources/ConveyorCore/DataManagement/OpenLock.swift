/// A copy a rule still waits for, and why.
public struct OpenLock: Sendable, Hashable, Codable {
    public var lfn: String
    public var endpoint: String
    public var state: LockState
    public var failures: Int
    public var reason: String?
    public var nextAttemptAt: Timestamp?

    public init(lfn: String, endpoint: String, state: LockState, failures: Int, reason: String?, nextAttemptAt: Timestamp?) {
        self.lfn = lfn
        self.endpoint = endpoint
        self.state = state
        self.failures = failures
        self.reason = reason
        self.nextAttemptAt = nextAttemptAt
    }
}
