import Foundation

/// The simulated quality program's monitoring output, in the form Conveyor documents for
/// monitoring files (run, processing, histograms with fixed bins, scalars with errors).
struct MonitoringOutput: Encodable {
    struct Axis: Encodable {
        var bins: Int
        var low: Double
        var high: Double
        var label: String
    }

    struct Histogram: Encodable {
        var name: String
        var x: Axis
        var y: Axis?
        var contents: [Double]
        var entries = 0
        var underflow = 0.0
        var overflow = 0.0

        init(_ name: String, _ x: Axis, _ y: Axis? = nil) {
            self.name = name
            self.x = x
            self.y = y
            contents = Array(repeating: 0, count: x.bins * (y?.bins ?? 1))
        }

        mutating func fill(_ value: Double, _ second: Double? = nil) {
            entries += 1
            func bin(_ axis: Axis, _ v: Double) -> Int? {
                guard v.isFinite, v >= axis.low, v < axis.high else { return nil }
                return min(axis.bins - 1, Int((v - axis.low) / (axis.high - axis.low) * Double(axis.bins)))
            }
            guard let i = bin(x, value) else {
                if value < x.low { underflow += 1 } else { overflow += 1 }
                return
            }
            if let y, let second {
                guard let j = bin(y, second) else {
                    if second < y.low { underflow += 1 } else { overflow += 1 }
                    return
                }
                contents[j * x.bins + i] += 1
            } else {
                contents[i] += 1
            }
        }
    }

    struct Scalar: Encodable {
        var name: String
        var value: Double
        var error: Double
    }

    struct Run: Encodable {
        var exp: Int
        var run: Int
    }

    var run: Run
    var processing: String?
    var histograms: [Histogram] = []
    var scalars: [Scalar] = []

    /// The histograms and scalars of a set of events: what the quality program looks at.
    /// `raw` events carry superlayer hits and calorimeter channels; reconstructed ones do not.
    static func of(
        exp: Int, run: Int, processing: String?, times: [Double], masses: [Double], superlayers: [UInt8]?, clusters: [(channel: Int, energy: Double)]?
    ) -> MonitoringOutput {
        var output = MonitoringOutput(run: Run(exp: exp, run: run), processing: processing)
        let median = times.isEmpty ? 0 : times.sorted()[times.count / 2]
        var residuals = Histogram("cdc/time_residual", Axis(bins: 40, low: -4, high: 4, label: "t − median [ns]"))
        for time in times { residuals.fill(time - median) }
        var peak = Histogram("physics/mass_peak", Axis(bins: 48, low: 2.5, high: 3.7, label: "m [GeV]"))
        for mass in masses { peak.fill(mass) }
        if let superlayers {
            var hits = Histogram("cdc/hit_map", Axis(bins: DetectorProblems.superlayers, low: 0.5, high: 8.5, label: "superlayer"))
            for pattern in superlayers {
                for layer in 0..<DetectorProblems.superlayers where pattern & (1 << layer) != 0 { hits.fill(Double(layer + 1)) }
            }
            output.histograms.append(hits)
        }
        output.histograms.append(residuals)
        if let clusters {
            var occupancy = Histogram("ecl/occupancy", Axis(bins: Physics.channels, low: -0.5, high: Double(Physics.channels) - 0.5, label: "crate"))
            var energies = Histogram(
                "ecl/channel_energy", Axis(bins: Physics.channels, low: -0.5, high: Double(Physics.channels) - 0.5, label: "crate"),
                Axis(bins: 24, low: 0, high: 6, label: "E [GeV]"))
            for cluster in clusters {
                occupancy.fill(Double(cluster.channel))
                energies.fill(Double(cluster.channel), cluster.energy)
            }
            output.histograms += [occupancy, energies]
        }
        output.histograms.append(peak)
        let summary = MassPeak(masses)
        if summary.candidates >= 2 {
            output.scalars.append(Scalar(name: "physics/mass_mean", value: summary.mean, error: summary.width / Double(summary.candidates).squareRoot()))
        }
        return output
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}
