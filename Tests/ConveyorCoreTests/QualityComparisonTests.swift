import ConveyorCore
import Foundation
import Testing

/// Monitoring histograms (issue 18, first slice): the documented JSON form and its checks, and the
/// comparisons with a reference, against figures worked out by hand.
@Suite("Quality comparisons")
struct QualityComparisonTests {
    static func h(_ contents: [Double], low: Double = 0, high: Double = 1, y: MonitoringHistogram.Axis? = nil) throws -> MonitoringHistogram {
        try MonitoringHistogram(
            name: "mass", x: .init(bins: y == nil ? contents.count : contents.count / (y?.bins ?? 1), low: low, high: high), y: y, contents: contents,
            entries: Int(contents.reduce(0, +)))
    }

    /// A Gaussian of `n` entries in 50 bins from 2.9 to 3.3, centred at `mean`.
    static func peak(mean: Double, n: Double = 100_000) throws -> MonitoringHistogram {
        let width = 0.04
        let contents = (0..<50).map { i -> Double in
            let x = 2.9 + (Double(i) + 0.5) * 0.008
            return (n * 0.008 / (width * (2 * Double.pi).squareRoot()) * exp(-0.5 * pow((x - mean) / width, 2))).rounded()
        }
        return try h(contents, low: 2.9, high: 3.3)
    }

    @Test func theFiguresAreTheTextbooks() throws {
        #expect(abs(QualityComparison.chi2PerNDF([10, 20], [20, 10])! - 20.0 / 3) < 1e-9, "(30·10 − 30·20)² / (30·30·30) twice, over 1 ndf")
        #expect(QualityComparison.chi2PerNDF([5, 0], [5, 0]) == nil, "one filled bin has no ndf")
        #expect(QualityComparison.kolmogorovProbability([1, 2, 3], [1, 2, 3]) == 1)
        #expect(abs(QualityComparison.kolmogorovProbability([100, 0], [0, 100]) - 0) < 1e-12, "disjoint samples")
        let reference = try Self.peak(mean: 3.097)
        let same = QualityComparison.kolmogorov(warning: 0.05, bad: 0.001).compare(try Self.peak(mean: 3.097, n: 20_000), with: reference)
        #expect(same.verdict == .ok && (same.figure ?? 0) > 0.5, "the same shape at another size: \(same)")
        let shifted = try Self.peak(mean: 3.12)
        let ks = QualityComparison.kolmogorov(warning: 0.05, bad: 0.001).compare(shifted, with: reference)
        #expect(ks.verdict == .bad && (ks.figure ?? 1) < 1e-6 && ks.reason.hasPrefix("KS probability"), "\(ks)")
        let chi2 = QualityComparison.chi2PerNDF(warning: 2, bad: 5).compare(shifted, with: reference)
        #expect(chi2.verdict == .bad && (chi2.figure ?? 0) > 5, "\(chi2)")
        #expect(QualityComparison.chi2PerNDF(warning: 2, bad: 5).compare(reference, with: reference).figure == 0)
    }

    @Test func whatCannotBeComparedSaysWhyAndProposesNothing() throws {
        let reference = try Self.peak(mean: 3.097)
        let other = try Self.h(Array(repeating: 1, count: 40), low: 2.9, high: 3.3)
        let result = QualityComparison.chi2PerNDF(warning: 2, bad: 5).compare(other, with: reference)
        #expect(result.verdict == .not_comparable && result.figure == nil && result.reason.contains("binning differs"), "\(result)")
        let empty = try Self.h(Array(repeating: 0, count: 50), low: 2.9, high: 3.3)
        #expect(QualityComparison.kolmogorov(warning: 0.05, bad: 0.001).compare(empty, with: reference).reason == "the histogram is empty")
        let map = try Self.h([1, 2, 3, 4, 5, 6], y: .init(bins: 2, low: 0, high: 2))
        #expect(QualityComparison.kolmogorov(warning: 0.05, bad: 0.001).compare(map, with: map).verdict == .not_comparable)
        #expect(QualityComparison.chi2PerNDF(warning: 2, bad: 5).compare(map, with: map).verdict == .ok, "χ² compares 2-D maps")
        #expect(QualityComparison.relativeShift(warning: 0.01, bad: 0.05).compare(map, with: map).verdict == .not_comparable)
        #expect(QualityComparison.relativeShift(warning: 0.01, bad: 0.05).compare(.nan, with: 1).verdict == .not_comparable)
        #expect(QualityComparison.relativeShift(warning: 0.01, bad: 0.05).compare(1, with: 0).verdict == .not_comparable)
    }

    @Test func scalarsShiftRelativelyOrAbsolutely() {
        let relative = QualityComparison.relativeShift(warning: 0.01, bad: 0.05)
        #expect(relative.compare(3.1, with: 3.097).verdict == .ok)
        #expect(relative.compare(3.2, with: 3.097).verdict == .warning)
        #expect(relative.compare(3.5, with: 3.097).verdict == .bad)
        let absolute = QualityComparison.absoluteShift(warning: 0.5, bad: 2)
        #expect(absolute.compare(-1, with: 0).verdict == .warning && absolute.compare(-1, with: 0).figure == 1)
    }

    @Test func theJSONFormIsCheckedWithOneLineReasons() throws {
        func read(_ json: String) -> String {
            do {
                _ = try MonitoringHistogram(json: Data(json.utf8), file: "qm.json")
                return "accepted"
            } catch { return error.message }
        }
        #expect(read(#"{"name": "m", "x": {"bins": 2, "low": 0, "high": 1}, "contents": [1, 2], "entries": 3, "underflow": 0, "overflow": 1}"#) == "accepted")
        #expect(
            read(#"{"name": "m", "x": {"bins": 3, "low": 0, "high": 1}, "contents": [1, 2], "entries": 3, "underflow": 0, "overflow": 0}"#)
                == "qm.json: m: 3 bins but 2 contents")
        #expect(
            read(#"{"name": "m", "x": {"bins": 2, "low": 1, "high": 1}, "contents": [1, 2], "entries": 3, "underflow": 0, "overflow": 0}"#).contains(
                "low < high"))
        #expect(
            read(#"{"name": "m", "x": {"bins": 2, "low": 0, "high": 1}, "contents": [1, -2], "entries": 3, "underflow": 0, "overflow": 0}"#).contains(
                "bin 1 holds -2.0"))
        #expect(
            read(#"{"name": "m", "x": {"bins": 2, "low": 0, "high": 1}, "contents": [1, 1e999], "entries": 3, "underflow": 0, "overflow": 0}"#).hasPrefix(
                "qm.json:"))
        #expect(
            read(
                #"{"name": "m", "x": {"bins": 100000, "low": 0, "high": 1}, "y": {"bins": 100000, "low": 0, "high": 1}, "contents": [], "entries": 0, "underflow": 0, "overflow": 0}"#
            ).contains("more than 1000000 bins"))
        #expect(read("[1, 2]").contains("not a monitoring histogram"))
    }
}
