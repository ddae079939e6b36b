import ConveyorCore

/// How long a request's work stood still for its data: its staging waits (inputs recalled to a
/// site's disk) and its outputs-placed wait (output rules becoming OK), from the wait tasks'
/// start and end. Parallel waits (one per site) overlap, so each figure is the longest one.
///
/// ```swift
/// let waits = RequestDataWaits(tasks: workflowTasks, now: .now)
/// waits.stagingSeconds    // 41.2: the jobs of the slowest site waited that long for their inputs
/// ```
public struct RequestDataWaits: Sendable, Hashable, Codable {
    public var stagingSeconds: Double = 0
    public var outputsSeconds: Double = 0
    /// Whether a wait is still open (its figure is so far).
    public var waiting = false

    public init() {}

    public init(tasks: [WorkflowTask], now: Timestamp) {
        for task in tasks where task.definition.kind == .wait {
            guard let start = task.startedAt, let wait = task.definition.wait else { continue }
            let end = task.finishedAt ?? now
            if task.finishedAt == nil { waiting = true }
            let seconds = Double(max(0, end.microsecondsSinceEpoch - start.microsecondsSinceEpoch)) / 1e6
            switch wait {
            case .filesOnDisk: stagingSeconds = max(stagingSeconds, seconds)
            case .rulesOK: outputsSeconds = max(outputsSeconds, seconds)
            default: break
            }
        }
    }

    public var totalSeconds: Double { stagingSeconds + outputsSeconds }
}
