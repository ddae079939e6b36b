/// The run ranges a calibration runs over, and how they merge when an algorithm reports
/// `not_enough_data`. Pure logic: the calibration job feeds it the runs and the outcomes.
///
/// ```swift
/// var ranges = CalibrationRanges(runs: registryRuns, minimumEvents: 50_000)
/// ranges.merge(at: 0)            // range 0 said not_enough_data: it takes in range 1
/// ranges.intervals(exp: 8)       // IoVs starting at each range's first run, the last left open
/// ```
public struct CalibrationRanges: Sendable, Equatable {
    public struct Range: Sendable, Equatable, Codable {
        public var first: Int
        public var last: Int
        public var runs: [Int]
        public var events: Int64
        public var luminosity: Double
    }

    public private(set) var ranges: [Range]

    /// One range per run, or runs gathered in order until each range has the minimum events and
    /// luminosity (a short tail joins the range before it).
    public init(runs: [RunRecord], minimumEvents: Int? = nil, minimumLuminosity: Double? = nil) {
        let sorted = runs.sorted { $0.run < $1.run }
        var ranges: [Range] = []
        var current: Range?
        func enough(_ r: Range) -> Bool {
            r.events >= Int64(minimumEvents ?? 0) && r.luminosity >= (minimumLuminosity ?? 0)
        }
        for record in sorted {
            var range = current ?? Range(first: record.run.run, last: record.run.run, runs: [], events: 0, luminosity: 0)
            range.last = record.run.run
            range.runs.append(record.run.run)
            range.events += record.events
            range.luminosity += record.luminosity
            if enough(range) {
                ranges.append(range)
                current = nil
            } else {
                current = range
            }
        }
        if let tail = current {
            if ranges.isEmpty { ranges.append(tail) } else { ranges[ranges.count - 1].absorb(tail) }
        }
        self.ranges = ranges
    }

    /// Merges range `index` with the next one, or with the one before when it is the last.
    /// - Returns: the index of the merged range, or nil when there is only one range.
    @discardableResult
    public mutating func merge(at index: Int) -> Int? {
        guard ranges.count > 1, ranges.indices.contains(index) else { return nil }
        if index + 1 < ranges.count {
            let next = ranges.remove(at: index + 1)
            ranges[index].absorb(next)
            return index
        }
        let last = ranges.removeLast()
        ranges[index - 1].absorb(last)
        return index - 1
    }

    /// Each range's IoV: from its first run to the run before the next range, the last one open.
    public func intervals(exp: Int) -> [IntervalOfValidity] {
        ranges.indices.map { i in
            let start = ExpRun(exp: exp, run: ranges[i].first)
            return i + 1 < ranges.count ? .between(start, .run(ExpRun(exp: exp, run: ranges[i + 1].first - 1))) : .from(start)
        }
    }
}

extension CalibrationRanges.Range {
    mutating func absorb(_ other: Self) {
        first = min(first, other.first)
        last = max(last, other.last)
        runs = (runs + other.runs).sorted()
        events += other.events
        luminosity += other.luminosity
    }
}
