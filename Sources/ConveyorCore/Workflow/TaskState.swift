/// Where a task of a workflow run is. Only the scheduler moves tasks between states; people ask
/// it to (sign off, resume, retry, cancel) through queued commands.
public enum TaskState: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "task state"
    public static let isUppercase = false

    /// Upstream tasks are not done yet.
    case pending
    /// May run: waits for a pool slot.
    case ready
    /// Handed to an executor (some or all elements), none running yet.
    case submitted
    /// At least one element runs (or a wait condition is being checked).
    case running
    case succeeded
    /// Failed for good: the retry limit is spent, or a sign-off was rejected.
    case failed
    /// Failed elements wait `base × tries²` before their next try.
    case cooloff
    /// Failed `pause_after` times: waits for a person to resume, retry or cancel it.
    case paused
    /// Not run, because its trigger rule can no longer be met after upstream failures.
    case upstream_failed
    case skipped
    case cancelled
    /// A sign-off task waiting for a person holding its role.
    case awaiting_signoff

    /// Final states never change again.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .upstream_failed, .skipped, .cancelled: true
        default: false
        }
    }

    /// Counts as a failure for the trigger rules downstream.
    public var isFailure: Bool { self == .failed || self == .upstream_failed || self == .cancelled }
}

/// What a task does.
public enum TaskKind: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "task kind"
    public static let isUppercase = false

    /// One command, or an array of commands, run by a pool's executor.
    case job
    /// Waits for a person with a role to approve or reject.
    case signoff
    /// Waits for a condition, checked periodically, holding no slot.
    case wait
    /// A step inside Conveyor itself.
    case action
}
