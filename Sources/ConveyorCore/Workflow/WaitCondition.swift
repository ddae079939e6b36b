/// What a wait task waits for. It holds no slot; the scheduler checks it every few seconds.
public enum WaitCondition: Codable, Sendable, Equatable {
    /// A moment has passed.
    case until(Timestamp)
    /// A run has ended (stop time recorded) and `delayHours` have passed since, as PromptReco's 48 h.
    case runEnded(ExpRun, delayHours: Double)
    /// Every listed file has an available disk replica at `site` (tape staging done).
    case filesOnDisk(site: String, lfns: [String])
    /// A file exists on this machine (a marker written by something outside Conveyor).
    case pathExists(String)
    /// Every replication rule of a request is OK (its outputs are where its configuration asks).
    case rulesOK(request: String)
    /// The PromptReco handshake released every listed run it tracks (a run it does not track,
    /// or any run while it is off, does not hold the wait).
    case promptReleased(runs: [ExpRun])

    public var summary: String {
        switch self {
        case .until(let t): "until \(t.iso8601)"
        case .runEnded(let run, let hours): "run \(run) ended + \(hours.formatted()) h"
        case .filesOnDisk(let site, let lfns): "\(lfns.count) files on disk at \(site)"
        case .pathExists(let path): "\(path) exists"
        case .rulesOK(let request): "the replication rules of \(request) are OK"
        case .promptReleased(let runs): "PromptReco of \(runs.count) run(s) released by the handshake"
        }
    }
}

/// A step that Conveyor runs itself, named, with text parameters (e.g. `gt.merge` with `source`, `target`).
public struct ActionStep: Codable, Sendable, Equatable {
    public var name: String
    public var parameters: [String: String]

    public init(name: String, parameters: [String: String] = [:]) {
        self.name = name
        self.parameters = parameters
    }
}

/// What a rejected sign-off does to its task (and so to the tasks after it).
public enum RejectionEffect: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "rejection effect"
    public static let isUppercase = false
    /// The sign-off task fails; dependents with the default rule become upstream_failed.
    case fail
    /// The sign-off task is skipped; dependents with the default rule are skipped too.
    case skip
}
