/// One line of the append-only history of PromptReco switches: the latest line of a scope wins
/// (CMS Tier-0's global switch, here also per run).
///
/// ```swift
/// let switches = PromptSwitches([PromptSwitch(scope: .global, stopped: true, reason: "magnet trip", actor: "mona", at: .now)])
/// switches.stopReason(for: ExpRun(exp: 8, run: 12))   // "stopped for all runs by mona: magnet trip"
/// ```
public struct PromptSwitch: Codable, Sendable, Equatable {
    public enum Scope: Codable, Sendable, Hashable, CustomStringConvertible {
        case global
        case run(ExpRun)
        /// One stream of live data taking: its runs' PromptReco is not submitted.
        case stream(String)

        /// `global`, `run:EXP:RUN` or `stream:NAME`, as stored.
        public var description: String {
            switch self {
            case .global: "global"
            case .run(let run): "run:\(run)"
            case .stream(let name): "stream:\(name)"
            }
        }

        public init(parsing text: String) throws(ConveyorError) {
            if text == "global" {
                self = .global
            } else if text.hasPrefix("run:") {
                self = .run(try ExpRun(parsing: String(text.dropFirst(4))))
            } else if text.hasPrefix("stream:"), DataTakingConfiguration.isName(String(text.dropFirst(7))) {
                self = .stream(String(text.dropFirst(7)))
            } else {
                throw .invalidInput("a switch's scope is 'global', a run EXP:RUN or a stream NAME, not '\(text)'")
            }
        }
    }

    public var scope: Scope
    public var stopped: Bool
    public var reason: String
    public var actor: String
    public var at: Timestamp

    public init(scope: Scope, stopped: Bool, reason: String, actor: String, at: Timestamp) {
        self.scope = scope
        self.stopped = stopped
        self.reason = reason
        self.actor = actor
        self.at = at
    }
}

/// The switches in force: per scope, the newest line.
public struct PromptSwitches: Sendable, Equatable {
    public private(set) var current: [PromptSwitch.Scope: PromptSwitch] = [:]

    /// - Parameter history: oldest first.
    public init(_ history: [PromptSwitch]) {
        for line in history { current[line.scope] = line }
    }

    public var globalStop: PromptSwitch? { current[.global].flatMap { $0.stopped ? $0 : nil } }

    /// Why PromptReco of `run` may not be released now, or nil.
    public func stopReason(for run: ExpRun) -> String? {
        if let stop = globalStop { return "stopped for all runs by \(stop.actor): \(stop.reason)" }
        if let stop = current[.run(run)], stop.stopped { return "stopped for run \(run) by \(stop.actor): \(stop.reason)" }
        return nil
    }

    /// Why PromptReco of a stream's runs may not be submitted now, or nil.
    public func stopReason(forStream stream: String) -> String? {
        if let stop = current[.stream(stream)], stop.stopped { return "stopped for stream \(stream) by \(stop.actor): \(stop.reason)" }
        return nil
    }
}
