/// The kind of data a run took.
public enum RunType: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "run type"
    public static let isUppercase = false

    case physics, cosmic, beam, debug
    public var description: String { rawValue }
}

/// Where a run is in its life: still taking data, ended, or closed (nothing more will be added).
public enum RunState: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "run state"
    public static let isUppercase = false

    case taking, ended, closed
    public var description: String { rawValue }
}

/// What the run registry knows of one run.
///
/// Luminosity is in inverse picobarns (1 /fb = 1000 /pb). The online value is known at once; the
/// offline value, when set, supersedes it.
public struct RunRecord: Sendable, Hashable, Codable {
    public var run: ExpRun
    public var type: RunType
    /// Beam energy label: 4S, Continuum, Scan, …
    public var energy: String
    public var magnet: Bool
    public var start: Timestamp?
    public var stop: Timestamp?
    public var events: Int64
    public var onlineLuminosity: Double
    public var offlineLuminosity: Double?
    public var state: RunState

    public init(
        run: ExpRun, type: RunType = .physics, energy: String = "4S", magnet: Bool = true, start: Timestamp? = nil, stop: Timestamp? = nil,
        events: Int64 = 0, onlineLuminosity: Double = 0, offlineLuminosity: Double? = nil, state: RunState = .ended
    ) {
        self.run = run
        self.type = type
        self.energy = energy
        self.magnet = magnet
        self.start = start
        self.stop = stop
        self.events = events
        self.onlineLuminosity = onlineLuminosity
        self.offlineLuminosity = offlineLuminosity
        self.state = state
    }

    /// The best luminosity known: offline when set, else online (/pb).
    public var luminosity: Double { offlineLuminosity ?? onlineLuminosity }

    /// Seconds from start to stop, when both are known.
    public var durationSeconds: Int64? {
        guard let start, let stop else { return nil }
        return (stop.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1_000_000
    }

    /// Tags that follow from the run's own values.
    public var derivedTags: [String] {
        var tags: [String] = []
        if let duration = durationSeconds, duration >= 30 * 60 { tags.append(">=30 Minute Run") }
        return tags
    }

    /// Parses the magnet state as run summaries and users write it: on/off, true/false, 1/0, yes/no.
    public static func magnet(parsing text: String) throws(ConveyorError) -> Bool {
        switch text.lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default: throw .invalidInput("magnet '\(text)' is not on or off")
        }
    }

    /// Refuses values no run can have, naming the field.
    public func validate() throws(ConveyorError) {
        guard events >= 0 else { throw .invalidInput("run \(run): events must not be negative") }
        guard onlineLuminosity >= 0, onlineLuminosity.isFinite else { throw .invalidInput("run \(run): online luminosity must be a non-negative number") }
        if let offline = offlineLuminosity, !(offline >= 0 && offline.isFinite) {
            throw .invalidInput("run \(run): offline luminosity must be a non-negative number")
        }
        if let start, let stop, stop < start { throw .invalidInput("run \(run): stop time is before start time") }
        guard !energy.isEmpty, energy.count <= 40 else { throw .invalidInput("run \(run): energy label must be 1–40 characters") }
    }
}
