import ArgumentParser
import Foundation

/// The online quality program: monitoring histograms of raw data, read with the online constants
/// (nominal gains and time offset), as express processing sees a run before any calibration.
struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Monitoring histograms of a run's raw data (hit map, time residuals, crate occupancy and energies, mass peak) as JSON.")
    @Option(help: "The processing the histograms are of.") var processing = "express"
    @Option(help: "The monitoring file to write (default $CONVEYOR_MONITORING).") var out: String?
    @Option(help: "Payload folder with the constants (default $CONVEYOR_CONDITIONS; nominal when neither).") var conditions: String?
    @Argument(help: "Raw files of one run (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        let out = try JobVariables.required(out, "CONVEYOR_MONITORING", "monitoring file")
        let constants = try Constants(directory: conditions ?? JobVariables.value("CONVEYOR_CONDITIONS"))
        var times: [Double] = [], masses: [Double] = [], superlayers: [UInt8] = [], clusters: [(channel: Int, energy: Double)] = []
        var run: (exp: Int, run: Int)?
        for path in try JobVariables.inputs(inputs) {
            let file = try EventFile.read(path)
            guard file.level == .raw else { throw SimulationError("\(path) is not raw data") }
            run = run ?? (Int(file.exp), Int(file.run))
            for record in file.records {
                let raw = RawEvent(record: record)
                let event = RecoEvent(raw, constants: constants)
                times.append(event.time)
                superlayers.append(raw.superlayers)
                clusters.append((Int(raw.channel1), event.e1))
                clusters.append((Int(raw.channel2), event.e2))
                if raw.triggers & Physics.Trigger.hadron.rawValue != 0 { masses.append(event.mass) }
            }
        }
        guard let run else { throw SimulationError("no input files") }
        try MonitoringOutput.of(
            exp: run.exp, run: run.run, processing: processing, times: times, masses: masses, superlayers: superlayers, clusters: clusters
        ).write(to: out)
        JobVariables.report([("events", String(times.count)), ("monitoring", out)])
    }
}
