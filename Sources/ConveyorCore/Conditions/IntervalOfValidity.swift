/// The runs a payload is valid for: `(expLow, runLow)` to `(expHigh, runHigh)`, both inclusive.
///
/// `runHigh == -1` means to the end of experiment `expHigh`; `(expHigh, runHigh) == (-1, -1)`
/// means open-ended (valid for every later run). Written `e1,r1,e2,r2` on the command line.
///
/// ```swift
/// let iov = try IntervalOfValidity(parsing: "8,0,8,-1")   // all of experiment 8
/// iov.contains(ExpRun(exp: 8, run: 1234))                  // true
/// iov.isOpen                                               // false
/// ```
public struct IntervalOfValidity: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var expLow: Int
    public var runLow: Int
    public var expHigh: Int
    public var runHigh: Int

    /// Builds an interval, refusing malformed or reversed ranges with the reason.
    public init(expLow: Int, runLow: Int, expHigh: Int, runHigh: Int) throws(ConveyorError) {
        self.init(unchecked: expLow, runLow, expHigh, runHigh)
        try validate()
    }

    init(unchecked expLow: Int, _ runLow: Int, _ expHigh: Int, _ runHigh: Int) {
        self.expLow = expLow
        self.runLow = runLow
        self.expHigh = expHigh
        self.runHigh = runHigh
    }

    /// An interval read back from storage, where it was validated on the way in.
    public init(stored expLow: Int, _ runLow: Int, _ expHigh: Int, _ runHigh: Int) {
        self.init(unchecked: expLow, runLow, expHigh, runHigh)
    }

    /// `(exp, run)` onwards, open-ended.
    public static func from(_ start: ExpRun) -> IntervalOfValidity {
        IntervalOfValidity(unchecked: start.exp, start.run, -1, -1)
    }

    /// From `start` to `end`, both inclusive (`end` being a bound as ``upperBound`` gives it).
    public static func between(_ start: ExpRun, _ end: Bound) -> IntervalOfValidity {
        switch end {
        case .run(let run): IntervalOfValidity(unchecked: start.exp, start.run, run.exp, run.run)
        case .endOfExperiment(let exp): IntervalOfValidity(unchecked: start.exp, start.run, exp, -1)
        case .open: .from(start)
        }
    }

    /// Parses `e1,r1,e2,r2`.
    public init(parsing text: String) throws(ConveyorError) {
        let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 4, let a = numbers[0], let b = numbers[1], let c = numbers[2], let d = numbers[3] else {
            throw .invalidInput("'\(text)' is not an interval of validity (expected EXP_LOW,RUN_LOW,EXP_HIGH,RUN_HIGH, e.g. 8,0,8,-1 or 8,0,-1,-1)")
        }
        try self.init(expLow: a, runLow: b, expHigh: c, runHigh: d)
    }

    private func validate() throws(ConveyorError) {
        guard expLow >= 0, runLow >= 0 else {
            throw .invalidInput("interval \(self) starts at a negative experiment or run")
        }
        if expHigh == -1 || runHigh == -1 && expHigh == -1 {
            guard expHigh == -1, runHigh == -1 else {
                throw .invalidInput("interval \(self): an open end is written -1,-1")
            }
            return
        }
        guard expHigh >= 0, runHigh >= -1 else {
            throw .invalidInput("interval \(self) ends at a negative experiment or run")
        }
        guard upperBound >= .run(start) else {
            throw .invalidInput("interval \(self) ends before it starts")
        }
    }

    public var start: ExpRun { ExpRun(exp: expLow, run: runLow) }

    /// Open-ended: valid for every run from its start on.
    public var isOpen: Bool { expHigh == -1 && runHigh == -1 }

    /// The last run covered, as a bound that orders correctly against runs.
    public var upperBound: Bound {
        if isOpen { return .open }
        if runHigh == -1 { return .endOfExperiment(expHigh) }
        return .run(ExpRun(exp: expHigh, run: runHigh))
    }

    public func contains(_ run: ExpRun) -> Bool {
        start <= run && Bound.run(run) <= upperBound
    }

    public func overlaps(_ other: IntervalOfValidity) -> Bool {
        Bound.run(start) <= other.upperBound && Bound.run(other.start) <= upperBound
    }

    /// Ordered by start, then by end.
    public static func < (lhs: IntervalOfValidity, rhs: IntervalOfValidity) -> Bool {
        lhs.start != rhs.start ? lhs.start < rhs.start : lhs.upperBound < rhs.upperBound
    }

    public var description: String { "\(expLow),\(runLow),\(expHigh),\(runHigh)" }

    /// The end of an interval: a run, the end of an experiment, or never.
    public enum Bound: Sendable, Hashable, Comparable, CustomStringConvertible {
        case run(ExpRun)
        case endOfExperiment(Int)
        case open

        private var key: (Int, Int) {
            switch self {
            case .run(let run): (run.exp, run.run)
            case .endOfExperiment(let exp): (exp, Int.max)
            case .open: (Int.max, Int.max)
            }
        }

        public static func < (lhs: Bound, rhs: Bound) -> Bool { lhs.key < rhs.key }
        public static func == (lhs: Bound, rhs: Bound) -> Bool { lhs.key == rhs.key }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(key.0)
            hasher.combine(key.1)
        }

        /// The first run after this bound, or nil after an open end.
        public var successor: ExpRun? {
            switch self {
            case .run(let run): ExpRun(exp: run.exp, run: run.run + 1)
            case .endOfExperiment(let exp): ExpRun(exp: exp + 1, run: 0)
            case .open: nil
            }
        }

        /// The bound just before `run`: the run before it, or the end of the previous experiment.
        public static func justBefore(_ run: ExpRun) -> Bound? {
            if run.run > 0 { return .run(ExpRun(exp: run.exp, run: run.run - 1)) }
            if run.exp > 0 { return .endOfExperiment(run.exp - 1) }
            return nil
        }

        public var description: String {
            switch self {
            case .run(let run): run.description
            case .endOfExperiment(let exp): "\(exp):end"
            case .open: "open"
            }
        }
    }
}
