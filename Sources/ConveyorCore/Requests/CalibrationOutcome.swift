/// What a calibration algorithm says about one run range, as in Belle II's calibration framework.
public enum CalibrationOutcome: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "calibration outcome"
    public static let isUppercase = false
    /// Payloads written; they go to the staging tag.
    case ok
    /// Run the algorithm again on the same data (up to the calibration's max iterations).
    case iterate
    /// Too little data: merge the range with the next one (the last with the one before) and try again.
    case not_enough_data
    /// Give up on this range: the task pauses for the expert.
    case failure
}
