/// When PromptReco of a run is locked and released (CMS Tier-0's `delay` and `delay_offset`),
/// plus what CMS lacks: a bound on how long a run without an end record may hold up the runs
/// after it, and an earlier release once every calibration of the run is done.
///
/// ```swift
/// var settings = PromptSettings()          // 48 h delay, lock 30 min before, close after 4 h, early after 8 h
/// settings.delaySeconds = 3_600
/// try settings.validate()
/// ```
public struct PromptSettings: Codable, Sendable, Equatable {
    /// From a run's end to its PromptReco release.
    public var delaySeconds: Double
    /// How long before its release a run is locked: no later conditions may change for it.
    public var lockOffsetSeconds: Double
    /// A run with no end record this long after its last file (or its start) is closed at its
    /// last file, with the reason recorded, so it holds up later runs at most this long.
    public var closeAfterSeconds: Double
    /// A run whose calibrations are all done is released this long after its end, before the delay.
    public var minimumDelaySeconds: Double

    public init(
        delaySeconds: Double = 48 * 3_600, lockOffsetSeconds: Double = 1_800, closeAfterSeconds: Double = 4 * 3_600, minimumDelaySeconds: Double = 8 * 3_600
    ) {
        self.delaySeconds = delaySeconds
        self.lockOffsetSeconds = lockOffsetSeconds
        self.closeAfterSeconds = closeAfterSeconds
        self.minimumDelaySeconds = minimumDelaySeconds
    }

    /// 100 years: longer durations are typing mistakes, and would overflow the clock's arithmetic.
    public static let longest: Double = 100 * 365.25 * 86_400

    public func validate() throws(ConveyorError) {
        for (name, value) in [
            ("delay", delaySeconds), ("lock offset", lockOffsetSeconds), ("close after", closeAfterSeconds), ("minimum delay", minimumDelaySeconds),
        ] where !(value.isFinite && value >= 0 && value <= Self.longest) {
            throw .invalidInput("the \(name) must be a duration from zero to 100 years, not \(value) s")
        }
        guard lockOffsetSeconds <= delaySeconds else {
            throw .invalidInput("the lock offset (\(lockOffsetSeconds) s) must not exceed the delay (\(delaySeconds) s): a run is locked before it is released")
        }
        guard minimumDelaySeconds <= delaySeconds else {
            throw .invalidInput("the minimum delay (\(minimumDelaySeconds) s) must not exceed the delay (\(delaySeconds) s)")
        }
    }
}
