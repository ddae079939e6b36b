/// One variable of one run compared with the reference in force: the verdict with its figure,
/// and what it was compared with.
public struct VariableComparison: Codable, Sendable, Equatable {
    public var variable: String
    /// The detector the variable belongs to (its name's first part), if it names one.
    public var detector: String?
    public var version: Int
    /// The reference in force for the run, if any.
    public var referenceID: Int64?
    /// The test and thresholds, `ks:0.05,0.001`.
    public var test: String?
    public var verdict: QualityComparison.Verdict
    public var figure: Double?
    public var reason: String

    public init(
        variable: String, detector: String?, version: Int, referenceID: Int64?, test: String?, verdict: QualityComparison.Verdict, figure: Double?,
        reason: String
    ) {
        self.variable = variable
        self.detector = detector
        self.version = version
        self.referenceID = referenceID
        self.test = test
        self.verdict = verdict
        self.figure = figure
        self.reason = reason
    }
}
