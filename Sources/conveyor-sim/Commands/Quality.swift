import ArgumentParser
import Foundation

struct Quality: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Histogram a run's mDST (mass peak, time residuals) and compare with the reference.")
    @Argument(help: "mDST files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        var masses: [Double] = [], times: [Double] = []
        var run: (exp: Int, run: Int)?
        for path in try JobVariables.inputs(inputs) {
            let file = try EventFile.read(path)
            run = run ?? (Int(file.exp), Int(file.run))
            for record in file.records {
                let e = RecoEvent(record: record, level: .mdst)
                times.append(e.time)
                if e.triggers & Physics.Trigger.hadron.rawValue != 0 { masses.append(e.mass) }
            }
        }
        let peak = MassPeak(masses)
        let timeMean = times.isEmpty ? 0 : times.reduce(0, +) / Double(times.count)
        // The reference: the resonance where it belongs, the width the resolution allows, times centred.
        let pull = peak.candidates < 2 ? 0 : abs(peak.mean - Physics.resonanceMass) / max(peak.width / sqrt(Double(peak.candidates)), 1e-6)
        let status = peak.candidates < 10 ? "few_candidates" : (pull < 5 && peak.width < 0.08 && abs(timeMean) < 0.2 ? "ok" : "deviates")
        JobVariables.report([
            ("mass_candidates", String(peak.candidates)), ("mass_mean", String(format: "%.4f", peak.mean)),
            ("mass_width", String(format: "%.4f", peak.width)), ("time_mean", String(format: "%.3f", timeMean)),
            ("reference_mass", String(Physics.resonanceMass)), ("status", status),
        ])
        // Where the job asks for monitoring, the histograms go there too (the processing is the job's).
        if let out = JobVariables.value("CONVEYOR_MONITORING"), let run {
            try MonitoringOutput.of(exp: run.exp, run: run.run, processing: nil, times: times, masses: masses, superlayers: nil, clusters: nil).write(to: out)
        }
    }
}
