/// When a task may run, given the states of its upstream tasks (Airflow's rules of the same names).
public enum TriggerRule: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "trigger rule"
    public static let isUppercase = false

    /// Every upstream succeeded (the default). A failed upstream makes it upstream_failed, a skipped one skipped.
    case all_success
    /// Every upstream is final, whatever its outcome.
    case all_done
    /// At least one upstream failed; skipped when all are done and none failed.
    case one_failed
    /// Every upstream is final and none failed (skipped ones are fine).
    case none_failed

    public enum Decision: Equatable, Sendable {
        case wait
        case run
        case skip
        case upstreamFailed
    }

    /// ```swift
    /// TriggerRule.all_success.decide([.succeeded, .running])   // .wait
    /// TriggerRule.all_success.decide([.succeeded, .failed])    // .upstreamFailed
    /// TriggerRule.one_failed.decide([.failed, .running])       // .run
    /// ```
    public func decide(_ upstream: [TaskState]) -> Decision {
        let allFinal = upstream.allSatisfy(\.isFinal)
        let anyFailed = upstream.contains(where: \.isFailure)
        switch self {
        case .all_success:
            if anyFailed { return .upstreamFailed }
            guard allFinal else { return .wait }
            return upstream.contains(.skipped) ? .skip : .run
        case .all_done:
            return allFinal ? .run : .wait
        case .one_failed:
            if anyFailed { return .run }
            return allFinal ? .skip : .wait
        case .none_failed:
            if anyFailed { return .upstreamFailed }
            return allFinal ? .run : .wait
        }
    }
}
