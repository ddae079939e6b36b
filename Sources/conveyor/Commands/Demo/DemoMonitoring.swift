import ConveyorCore
import ConveyorMonitoring
import ConveyorRuns
import ConveyorStore
import Foundation

/// The demo's run certification from monitoring: the online quality program histograms each
/// run's raw data (express), experts set references from a healthy run, the monitoring proposes
/// BAD flags for the detectors whose histograms fail, and the shifter confirms them in the inbox;
/// runs without a confirmed problem are certified GOOD.
struct DemoMonitoring {
    let store: Store
    let sim: String
    let data: String
    let runs: Int
    let say: (String) -> Void

    static let quality = Actor(name: "demo-dqm", role: .expert)
    static let cdcExpert = Actor(name: "demo-cdc-expert", role: .expert)
    static let eclExpert = Actor(name: "demo-ecl-expert", role: .expert)
    /// The healthy run the references come from (the simulated problems hit runs 3, 5, 10, …).
    static let referenceRun = 1

    /// The references the detector experts set: (variable, test, who). Crate energies are drawn
    /// but not compared: before calibration they follow each run's gain drift, and with 20,000
    /// events a run χ² sees that drift in every run; the occupancy sees a noisy crate alone.
    static let references: [(String, String, Actor)] = [
        ("cdc/hit_map", "ks:0.01,0.0001", cdcExpert), ("cdc/time_residual", "ks:0.01,0.0001", cdcExpert), ("ecl/occupancy", "chi2:3,8", eclExpert),
    ]

    /// - Returns: the runs flagged BAD, with the detector and its reason.
    func certify() async throws -> [(run: Int, detector: String, reason: String)] {
        let qm = QualityMonitoring(store: store)
        let raw = "\(data)/raw/e\(String(format: "%04d", DemoRun.exp))"
        say("Express monitoring: the online quality program histograms each run's raw data (conveyor-sim monitor), stored as \(Self.quality.name) …")
        for run in 1...runs {
            let out = "\(data)/monitoring/r\(String(format: "%05d", run)).express.json"
            try FileManager.default.createDirectory(atPath: "\(data)/monitoring", withIntermediateDirectories: true)
            _ = try await DemoRun.simulate(sim, ["monitor", "--processing", "express", "--out", out, "\(raw)/r\(String(format: "%05d", run)).raw"])
            let file = try MonitoringFile(json: try Data(contentsOf: URL(fileURLWithPath: out)), file: out)
            _ = try await qm.record(file, processing: "express", by: Self.quality)
        }
        for (variable, test, expert) in Self.references {
            _ = try await qm.setReference(
                variable: variable, exp: DemoRun.exp, runs: 1...100_000, from: .run(ExpRun(exp: DemoRun.exp, run: Self.referenceRun), processing: "express"),
                comparison: try QualityComparison(parsing: test), reason: "run \(Self.referenceRun): all superlayers on, no noisy crate", by: expert)
        }
        _ = try await qm.setReference(
            variable: "physics/mass_mean", exp: DemoRun.exp, runs: 1...100_000, from: .value(3.097),
            comparison: try QualityComparison(parsing: "abs:0.03,0.06"),
            reason: "the resonance's mass", by: Self.eclExpert)
        say(
            "References set from run \(Self.referenceRun) by \(Self.cdcExpert.name) and \(Self.eclExpert.name): "
                + Self.references.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "; physics/mass_mean against 3.097 GeV.")

        let open = try await qm.proposals(state: .open).filter { $0.run.exp == DemoRun.exp }
        var bad: [(run: Int, detector: String, reason: String)] = []
        for proposal in open {
            say("Monitoring proposes run \(proposal.run) \(proposal.detector) BAD: \(proposal.reason)")
            try await qm.confirm(proposal.id, comment: "seen in the express histograms", by: DemoRun.shifter)
            bad.append((proposal.run.run, proposal.detector, proposal.reason))
        }
        say("\(DemoRun.shifter.name) confirms \(open.count) proposal(s) from the inbox, one click each (conveyor qm confirm).")
        let registry = RunRegistry(store: store)
        for run in 1...runs {
            let expRun = ExpRun(exp: DemoRun.exp, run: run)
            if let problem = bad.first(where: { $0.run == run }) {
                try await registry.flag(expRun, to: .bad, reason: "\(problem.detector) BAD (confirmed monitoring proposal)", by: DemoRun.shifter)
            } else {
                try await registry.flag(expRun, to: .good, reason: "express monitoring within its references", by: DemoRun.shifter)
            }
        }
        return bad
    }
}
