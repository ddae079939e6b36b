import Foundation

/// A monitoring histogram as the experiment's quality program writes it per run and processing:
/// fixed bins on one or two axes, the bin contents, the number of entries, and what fell outside.
///
/// The documented JSON form (one object; `y` only for 2-D, contents row by row in y):
///
/// ```json
/// {"name": "ecl/crate_energy", "x": {"bins": 4, "low": 0, "high": 2, "label": "E [GeV]"},
///  "contents": [10, 25, 8, 1], "entries": 44, "underflow": 0, "overflow": 0}
/// ```
///
/// ```swift
/// let h = try MonitoringHistogram(json: data, file: "qm.json")   // every rule checked, one-line reasons
/// h.integral      // 44, inside the axes
/// ```
public struct MonitoringHistogram: Codable, Sendable, Equatable {
    public struct Axis: Codable, Sendable, Equatable {
        public var bins: Int
        public var low: Double
        public var high: Double
        public var label: String?

        public init(bins: Int, low: Double, high: Double, label: String? = nil) {
            self.bins = bins
            self.low = low
            self.high = high
            self.label = label
        }
    }

    public var name: String
    public var x: Axis
    public var y: Axis?
    public var contents: [Double]
    public var entries: Int
    public var underflow: Double
    public var overflow: Double

    /// The most bins a histogram may have (both axes together).
    public static let largest = 1_000_000

    public init(name: String, x: Axis, y: Axis? = nil, contents: [Double], entries: Int, underflow: Double = 0, overflow: Double = 0) throws(ConveyorError) {
        self.name = name
        self.x = x
        self.y = y
        self.contents = contents
        self.entries = entries
        self.underflow = underflow
        self.overflow = overflow
        try validate()
    }

    enum CodingKeys: String, CodingKey { case name, x, y, contents, entries, underflow, overflow }

    /// Under- and overflow may be left out (then 0).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        x = try container.decode(Axis.self, forKey: .x)
        y = try container.decodeIfPresent(Axis.self, forKey: .y)
        contents = try container.decode([Double].self, forKey: .contents)
        entries = try container.decode(Int.self, forKey: .entries)
        underflow = try container.decodeIfPresent(Double.self, forKey: .underflow) ?? 0
        overflow = try container.decodeIfPresent(Double.self, forKey: .overflow) ?? 0
    }

    /// The mean of the x axis's bin centres weighted by the contents (of the x projection for
    /// 2-D), and its error, the spread over √integral: the trend's value for a histogram.
    public var mean: (value: Double, error: Double)? {
        let total = integral
        guard total > 0, x.bins > 0 else { return nil }
        let width = (x.high - x.low) / Double(x.bins)
        var sum = 0.0
        var squares = 0.0
        for (index, content) in contents.enumerated() where content > 0 {
            let centre = x.low + (Double(index % x.bins) + 0.5) * width
            sum += content * centre
            squares += content * centre * centre
        }
        let mean = sum / total
        let spread = max(0, squares / total - mean * mean).squareRoot()
        return (mean, spread / total.squareRoot())
    }

    /// Reads the documented JSON form and checks it.
    public init(json data: Data, file: String) throws(ConveyorError) {
        let decoded: MonitoringHistogram
        do {
            decoded = try JSONDecoder().decode(MonitoringHistogram.self, from: data)
        } catch {
            throw .invalidInput("\(file): not a monitoring histogram (name, x {bins, low, high}, contents, entries; see the documented format)")
        }
        do { try decoded.validate() } catch { throw .invalidInput("\(file): \(error.message)") }
        self = decoded
    }

    public var isTwoDimensional: Bool { y != nil }
    public var binCount: Int { x.bins * (y?.bins ?? 1) }
    /// The sum of the contents inside the axes.
    public var integral: Double { contents.reduce(0, +) }

    /// Checks the rules: a name, 1 to `largest` bins, finite ascending axes, one finite
    /// non-negative content per bin, entries ≥ 0.
    public func validate() throws(ConveyorError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw .invalidInput("a histogram needs a name (up to 200 characters)")
        }
        for (axis, label) in [(x, "x")] + (y.map { [($0, "y")] } ?? []) {
            guard axis.bins >= 1 else { throw .invalidInput("\(name): axis \(label) needs at least one bin") }
            guard axis.low.isFinite, axis.high.isFinite, axis.low < axis.high else {
                throw .invalidInput("\(name): axis \(label) needs finite low < high, found \(axis.low)…\(axis.high)")
            }
        }
        let (product, overflowed) = x.bins.multipliedReportingOverflow(by: y?.bins ?? 1)
        guard !overflowed, product <= Self.largest else { throw .invalidInput("\(name): more than \(Self.largest) bins") }
        guard contents.count == product else { throw .invalidInput("\(name): \(product) bins but \(contents.count) contents") }
        if let bad = contents.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw .invalidInput("\(name): bin \(bad) holds \(contents[bad]), not a finite count ≥ 0")
        }
        guard underflow.isFinite, overflow.isFinite, underflow >= 0, overflow >= 0 else {
            throw .invalidInput("\(name): underflow and overflow must be finite counts ≥ 0")
        }
        guard entries >= 0 else { throw .invalidInput("\(name): entries must be ≥ 0") }
    }

    /// Whether the two have the same axes (bins and edges), so that they can be compared bin by bin.
    public func hasSameBinning(as other: MonitoringHistogram) -> Bool {
        func same(_ a: Axis, _ b: Axis) -> Bool {
            a.bins == b.bins && abs(a.low - b.low) <= 1e-9 * max(1, abs(a.low)) && abs(a.high - b.high) <= 1e-9 * max(1, abs(a.high))
        }
        guard same(x, other.x) else { return false }
        switch (y, other.y) {
        case (nil, nil): return true
        case (let a?, let b?): return same(a, b)
        default: return false
        }
    }
}
