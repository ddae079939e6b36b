import Foundation

/// How a monitoring variable is compared with its reference, and with which thresholds: the
/// Kolmogorov–Smirnov probability or χ²/ndf for histograms, a relative or absolute shift for
/// scalars. The result is ok, warning, bad, or not comparable (with the reason), always with the
/// figure that decided it.
///
/// ```swift
/// let test = QualityComparison.chi2PerNDF(warning: 2, bad: 5)
/// let result = test.compare(run, with: reference)   // .bad, figure 7.3, "χ²/ndf 7.30 > 5"
/// ```
public enum QualityComparison: Codable, Sendable, Equatable {
    /// On the KS probability: below `warning` is a warning, below `bad` is bad (1-D only).
    case kolmogorov(warning: Double, bad: Double)
    /// On χ²/ndf of the two shapes (normalised to each other): above `warning`/`bad`.
    case chi2PerNDF(warning: Double, bad: Double)
    /// On |value − reference| / |reference|.
    case relativeShift(warning: Double, bad: Double)
    /// On |value − reference|.
    case absoluteShift(warning: Double, bad: Double)

    public enum Verdict: String, Codable, Sendable, CaseIterable {
        case ok
        case warning
        case bad
        case not_comparable
    }

    public struct Result: Codable, Sendable, Equatable {
        public var verdict: Verdict
        /// The KS probability, χ²/ndf, or shift that decided it (nil when not comparable).
        public var figure: Double?
        public var reason: String
    }

    /// Compares two histograms; scalar tests on histograms are not comparable.
    public func compare(_ value: MonitoringHistogram, with reference: MonitoringHistogram) -> Result {
        guard value.hasSameBinning(as: reference) else {
            return Result(
                verdict: .not_comparable, figure: nil,
                reason: "binning differs from the reference (\(Self.describe(value)) against \(Self.describe(reference)))")
        }
        guard value.integral > 0, reference.integral > 0 else {
            return Result(verdict: .not_comparable, figure: nil, reason: value.integral > 0 ? "the reference is empty" : "the histogram is empty")
        }
        switch self {
        case .kolmogorov(let warning, let bad):
            guard !value.isTwoDimensional else {
                return Result(verdict: .not_comparable, figure: nil, reason: "Kolmogorov–Smirnov compares 1-D histograms; use chi2 for 2-D")
            }
            let p = Self.kolmogorovProbability(value.contents, reference.contents)
            let verdict: Verdict = p < bad ? .bad : p < warning ? .warning : .ok
            return Result(
                verdict: verdict, figure: p, reason: String(format: "KS probability %.3g", p) + (verdict == .ok ? "" : " < \(verdict == .bad ? bad : warning)"))
        case .chi2PerNDF(let warning, let bad):
            guard let chi2 = Self.chi2PerNDF(value.contents, reference.contents) else {
                return Result(verdict: .not_comparable, figure: nil, reason: "fewer than two filled bins")
            }
            let verdict: Verdict = chi2 > bad ? .bad : chi2 > warning ? .warning : .ok
            return Result(
                verdict: verdict, figure: chi2, reason: String(format: "χ²/ndf %.2f", chi2) + (verdict == .ok ? "" : " > \(verdict == .bad ? bad : warning)"))
        case .relativeShift, .absoluteShift:
            return Result(verdict: .not_comparable, figure: nil, reason: "a shift test compares scalars, not histograms")
        }
    }

    /// Compares a scalar with its reference value; histogram tests on scalars are not comparable.
    public func compare(_ value: Double, with reference: Double) -> Result {
        guard value.isFinite, reference.isFinite else { return Result(verdict: .not_comparable, figure: nil, reason: "a value is not finite") }
        let shift: Double
        let warning: Double
        let bad: Double
        switch self {
        case .relativeShift(let w, let b):
            guard reference != 0 else { return Result(verdict: .not_comparable, figure: nil, reason: "a relative shift from a zero reference") }
            (shift, warning, bad) = (abs(value - reference) / abs(reference), w, b)
        case .absoluteShift(let w, let b):
            (shift, warning, bad) = (abs(value - reference), w, b)
        case .kolmogorov, .chi2PerNDF:
            return Result(verdict: .not_comparable, figure: nil, reason: "a histogram test compares histograms, not scalars")
        }
        let verdict: Verdict = shift > bad ? .bad : shift > warning ? .warning : .ok
        return Result(
            verdict: verdict, figure: shift, reason: String(format: "shift %.4g", shift) + (verdict == .ok ? "" : " > \(verdict == .bad ? bad : warning)"))
    }

    /// The two-sample Kolmogorov–Smirnov probability of two binned distributions of the same
    /// binning: the largest distance D between their normalised cumulative sums, with the
    /// effective size n₁n₂/(n₁+n₂) of their integrals, through the Kolmogorov distribution.
    /// O(bins).
    public static func kolmogorovProbability(_ a: [Double], _ b: [Double]) -> Double {
        let sa = a.reduce(0, +)
        let sb = b.reduce(0, +)
        guard sa > 0, sb > 0, a.count == b.count else { return 0 }
        var ca = 0.0
        var cb = 0.0
        var distance = 0.0
        for i in a.indices {
            ca += a[i] / sa
            cb += b[i] / sb
            distance = max(distance, abs(ca - cb))
        }
        let lambda = distance * (sa * sb / (sa + sb)).squareRoot()
        return kolmogorovQ(lambda)
    }

    /// Q(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²), the probability of a distance at least this large.
    static func kolmogorovQ(_ lambda: Double) -> Double {
        guard lambda > 0.2 else { return 1 }
        var sum = 0.0
        for j in 1...100 {
            let term = 2 * (j % 2 == 1 ? 1.0 : -1.0) * exp(-2 * Double(j * j) * lambda * lambda)
            sum += term
            if abs(term) < 1e-12 { break }
        }
        return min(1, max(0, sum))
    }

    /// χ²/ndf of two binned shapes (each scaled to the other's total), over the bins either fills;
    /// ndf = filled bins − 1. Nil with fewer than two filled bins. O(bins).
    public static func chi2PerNDF(_ a: [Double], _ b: [Double]) -> Double? {
        let sa = a.reduce(0, +)
        let sb = b.reduce(0, +)
        guard sa > 0, sb > 0, a.count == b.count else { return nil }
        var chi2 = 0.0
        var filled = 0
        for i in a.indices where a[i] + b[i] > 0 {
            filled += 1
            let difference = sb * a[i] - sa * b[i]
            chi2 += difference * difference / (sa * sb * (a[i] + b[i]))
        }
        guard filled >= 2 else { return nil }
        return chi2 / Double(filled - 1)
    }

    static func describe(_ h: MonitoringHistogram) -> String {
        let x = "\(h.x.bins) bins \(h.x.low)…\(h.x.high)"
        return h.y.map { "\(x) × \($0.bins) bins \($0.low)…\($0.high)" } ?? x
    }
}
