/// How a tag's new conditions line up with data taking (CMS's synchronisation types, as its
/// conditions upload service applies them against the first condition-safe run).
///
/// ```swift
/// let since = try SynchronisationType.prompt.firstRun(requested: ExpRun(exp: 8, run: 10), fcsr: ExpRun(exp: 8, run: 14), lastOnlineRun: nil)
/// since.run          // 8:14: prompt conditions start at the first run whose PromptReco is not locked
/// since.movedUp      // true
/// ```
public enum SynchronisationType: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "synchronisation type"
    public static let isUppercase = false

    /// No run checks, but never below the first condition-safe run: a late offline correction
    /// may not change a run whose PromptReco is locked.
    case offline
    /// Conditions for the trigger: they start at the run after the last one taken online.
    case hlt
    /// Conditions for express processing: as `hlt`.
    case express
    /// Conditions for PromptReco: they start at the first condition-safe run.
    case prompt
    /// The prompt calibration loop's results: taken from the first condition-safe run on; an
    /// earlier start is moved up to it (the IoV before it keeps covering the gap, so no hole).
    case pcl
    /// Simulation: no run checks.
    case mc
    /// Run-dependent simulation: no run checks.
    case runmc
    /// Validation and anything else: no checks.
    case any

    public var description: String { rawValue }

    /// Where an IoV asked to start at `requested` starts, or why it may not.
    public struct FirstRun: Sendable, Equatable {
        public var run: ExpRun
        /// Whether the start was moved later than asked.
        public var movedUp: Bool
        /// One line on the rule that decided it.
        public var reason: String
    }

    /// - Parameters:
    ///   - fcsr: the first condition-safe run, or nil when no run is tracked yet (nothing locked).
    ///   - lastOnlineRun: the newest run with a start record, for `hlt` and `express`.
    /// - Throws: ``ConveyorError/conflict(_:)`` for an `offline` start below the FCSR.
    public func firstRun(requested: ExpRun, fcsr: ExpRun?, lastOnlineRun: ExpRun?) throws(ConveyorError) -> FirstRun {
        switch self {
        case .offline:
            if let fcsr, requested < fcsr {
                throw .conflict("\(requested) is below the first condition-safe run \(fcsr): runs before it are locked for PromptReco (offline tags)")
            }
            return FirstRun(run: requested, movedUp: false, reason: "offline: at or above the first condition-safe run")
        case .hlt, .express:
            guard let last = lastOnlineRun, requested <= last else {
                return FirstRun(run: requested, movedUp: false, reason: "\(rawValue): after the last run taken online")
            }
            return FirstRun(run: last.next, movedUp: true, reason: "\(rawValue): moved to the run after the last one taken online (\(last))")
        case .prompt, .pcl:
            guard let fcsr, requested < fcsr else {
                return FirstRun(run: requested, movedUp: false, reason: "\(rawValue): at or above the first condition-safe run")
            }
            return FirstRun(run: fcsr, movedUp: true, reason: "\(rawValue): moved up to the first condition-safe run \(fcsr)")
        case .mc, .runmc, .any:
            return FirstRun(run: requested, movedUp: false, reason: "\(rawValue): no run checks")
        }
    }
}
