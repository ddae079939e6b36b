/// The rules that turn a run's monitoring values into comparisons and proposed flags: each
/// variable against the reference in force, a detector's failed variables into one proposed BAD
/// flag. Pure: the store gives the values and references, the capability records the outcome.
///
/// ```swift
/// let comparisons = MonitoringEvaluation.compare(values, references: inForce, detectors: ["CDC", "ECL"])
/// let proposed = MonitoringEvaluation.proposals(comparisons)   // ["CDC": "cdc/hit_map: KS probability 2e-09 < 0.001"]
/// ```
public enum MonitoringEvaluation {
    /// The detector a variable belongs to: its name's first part (`cdc/hit_map` → `CDC`) when
    /// that names one of the experiment's detectors, else none (`physics/mass_peak`).
    public static func detector(of variable: String, among detectors: [String]) -> String? {
        guard let slash = variable.firstIndex(of: "/") else { return nil }
        let first = variable[..<slash].lowercased()
        return detectors.first { $0.lowercased() == first }
    }

    /// One value against its reference: the verdict and its figure (a trend needs no more).
    public static func result(of value: MonitoringValue, with reference: MonitoringReference?) -> QualityComparison.Result {
        guard let reference else {
            return .init(verdict: .not_comparable, figure: nil, reason: "no reference for \(value.variable) at run \(value.run)")
        }
        switch (value.histogram, value.value, reference.histogram, reference.value) {
        case (let h?, _, let r?, _): return reference.comparison.compare(h, with: r)
        case (nil, let v?, _, let r?): return reference.comparison.compare(v, with: r)
        case (.some, _, _, _):
            return .init(verdict: .not_comparable, figure: nil, reason: "a histogram against a reference value: set a histogram reference")
        default:
            return .init(verdict: .not_comparable, figure: nil, reason: "a scalar against a reference histogram: set a value reference")
        }
    }

    /// One value against its reference; without one, or with a reference of the other kind, not comparable.
    public static func compare(_ value: MonitoringValue, with reference: MonitoringReference?, detectors: [String]) -> VariableComparison {
        let result = result(of: value, with: reference)
        return VariableComparison(
            variable: value.variable, detector: detector(of: value.variable, among: detectors), version: value.version, referenceID: reference?.id,
            test: reference?.comparison.description, verdict: result.verdict, figure: result.figure, reason: result.reason)
    }

    /// Every value of a run against the reference in force for its variable.
    public static func compare(_ values: [MonitoringValue], references: [String: MonitoringReference], detectors: [String]) -> [VariableComparison] {
        values.map { compare($0, with: references[$0.variable], detectors: detectors) }
    }

    /// The detectors whose variables came out bad, each with the failed variables and figures as
    /// the reason. Warnings and not comparable never propose anything.
    public static func proposals(_ comparisons: [VariableComparison]) -> [String: String] {
        var failed: [String: [String]] = [:]
        for comparison in comparisons where comparison.verdict == .bad {
            guard let detector = comparison.detector else { continue }
            failed[detector, default: []].append("\(comparison.variable): \(comparison.reason)")
        }
        return failed.mapValues { $0.sorted().joined(separator: "; ") }
    }
}
