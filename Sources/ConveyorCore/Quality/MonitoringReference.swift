/// What a monitoring variable is compared with over a run range, and how: a chosen good run's
/// histogram, or a value (a fit result), with the test and its thresholds. Set by an expert;
/// nothing is overwritten: the newest reference covering a run is in force, the older ones are
/// its history.
///
/// ```swift
/// let reference = try MonitoringReference(
///     variable: "cdc/hit_map", exp: 8, runs: 1...9999, histogram: run1HitMap, comparison: .kolmogorov(warning: 0.05, bad: 0.001),
///     reason: "run 1, all superlayers on", at: .now, by: "cdc-expert")
/// ```
public struct MonitoringReference: Codable, Sendable, Equatable {
    /// Its number in the store (0 until stored).
    public var id: Int64
    public var variable: String
    public var exp: Int
    public var firstRun: Int
    public var lastRun: Int
    public var histogram: MonitoringHistogram?
    public var value: Double?
    public var comparison: QualityComparison
    public var reason: String
    public var at: Timestamp
    public var by: String

    public init(
        id: Int64 = 0, variable: String, exp: Int, runs: ClosedRange<Int>, histogram: MonitoringHistogram? = nil, value: Double? = nil,
        comparison: QualityComparison, reason: String, at: Timestamp, by: String
    ) {
        self.id = id
        self.variable = variable
        self.exp = exp
        self.firstRun = runs.lowerBound
        self.lastRun = runs.upperBound
        self.histogram = histogram
        self.value = value
        self.comparison = comparison
        self.reason = reason
        self.at = at
        self.by = by
    }

    public var runs: ClosedRange<Int> { firstRun...max(firstRun, lastRun) }

    public func covers(_ run: ExpRun) -> Bool { run.exp == exp && run.run >= firstRun && run.run <= lastRun }

    /// Checks it: a run range, a reason, a histogram for a histogram test or a finite value for a
    /// shift test, and thresholds in the right order.
    public func validate() throws(ConveyorError) {
        try MonitoringValue(run: ExpRun(exp: exp, run: firstRun), processing: "reference", variable: variable, version: 1, value: 0, at: at, by: by).validate()
        guard exp >= 0, firstRun >= 0, firstRun <= lastRun else { throw .invalidInput("a reference needs a run range FIRST-LAST with FIRST ≤ LAST") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("a reference needs a reason (which run, which fit, why)") }
        try comparison.validate()
        switch (comparison, histogram, value) {
        case (.kolmogorov, let h?, nil), (.chi2PerNDF, let h?, nil):
            try h.validate()
            if case .kolmogorov = comparison, h.isTwoDimensional {
                throw .invalidInput("\(variable): Kolmogorov–Smirnov compares 1-D histograms; use chi2 for a 2-D reference")
            }
        case (.relativeShift, nil, let v?), (.absoluteShift, nil, let v?):
            guard v.isFinite else { throw .invalidInput("\(variable): the reference value \(v) is not finite") }
            if case .relativeShift = comparison, v == 0 { throw .invalidInput("\(variable): a relative shift needs a reference value other than 0") }
        case (.kolmogorov, _, _), (.chi2PerNDF, _, _):
            throw .invalidInput("\(variable): a \(comparison.testName) test compares with a reference histogram (give a run to take it from)")
        case (.relativeShift, _, _), (.absoluteShift, _, _):
            throw .invalidInput("\(variable): a \(comparison.testName) test compares with a reference value")
        }
    }
}
