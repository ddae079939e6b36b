/// A run's turnaround through prompt processing, the figure seed 002 tracks per bucket: from the
/// end of data taking to calibrated (every calibration of the run done), to released for
/// PromptReco, and to its quality certified; and how long it was held for people (postponed).
///
/// ```swift
/// let t = RunTurnaround(run: ExpRun(exp: 8, run: 12), closed: end, calibrated: c, released: r, certified: q, postponedSeconds: 0)
/// t.toCalibratedSeconds   // data taken → calibrated
/// ```
public struct RunTurnaround: Codable, Sendable, Equatable {
    public var run: ExpRun
    /// When data taking ended (the run was closed).
    public var closed: Timestamp?
    public var calibrated: Timestamp?
    public var released: Timestamp?
    public var certified: Timestamp?
    /// Time the run spent postponed by a shifter: waiting for people.
    public var postponedSeconds: Double

    public init(run: ExpRun, closed: Timestamp?, calibrated: Timestamp?, released: Timestamp?, certified: Timestamp?, postponedSeconds: Double) {
        self.run = run
        self.closed = closed
        self.calibrated = calibrated
        self.released = released
        self.certified = certified
        self.postponedSeconds = postponedSeconds
    }

    public var toCalibratedSeconds: Double? { span(to: calibrated) }
    public var toReleasedSeconds: Double? { span(to: released) }
    public var toCertifiedSeconds: Double? { span(to: certified) }

    func span(to moment: Timestamp?) -> Double? {
        guard let closed, let moment else { return nil }
        return max(0, moment.seconds(since: closed))
    }

    /// The median of some spans (nil when there are none), for the report's summary line.
    public static func median(_ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
