import ArgumentParser
import Foundation

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A calibration algorithm: writes payload files to $CONVEYOR_PAYLOAD_DIR and ok, iterate or not_enough_data to $CONVEYOR_RESULT.")
    @Argument(help: "ecl-gains (raw bhabha), cdc-t0 (raw bhabha) or beamspot (cDST).") var algorithm: String
    @Option(help: "Minimum entries per channel or in all.") var minimum: Int?

    func run() throws {
        let inputs = try JobVariables.inputs([])
        let folder = try JobVariables.required(nil, "CONVEYOR_PAYLOAD_DIR", "payload folder")
        let iteration = Int(JobVariables.value("CONVEYOR_ITERATION") ?? "1") ?? 1
        var outcome = "ok"
        var said: [(String, String)] = [("algorithm", algorithm), ("iteration", String(iteration)), ("files", String(inputs.count))]
        switch algorithm {
        case "ecl-gains":
            // Bhabha electrons carry the beam energy: gain = ADC / E_beam per channel. The first
            // iteration takes the mean; the next ones a truncated mean around it (outliers out).
            var entries = [[Double]](repeating: [], count: Physics.channels)
            for path in inputs {
                for record in try EventFile.read(path).records {
                    let event = RawEvent(record: record)
                    guard event.triggers & Physics.Trigger.bhabha.rawValue != 0 else { continue }
                    entries[Int(event.channel1)].append(event.adc1 / Physics.beamEnergy)
                    entries[Int(event.channel2)].append(event.adc2 / Physics.beamEnergy)
                }
            }
            let needed = minimum ?? 30
            let fewest = entries.map(\.count).min() ?? 0
            said.append(("fewest_entries", String(fewest)))
            if fewest < needed { outcome = "not_enough_data"; break }
            var gains = entries.map { $0.reduce(0, +) / Double($0.count) }
            for _ in 1..<max(iteration, 1) {
                gains = zip(entries, gains).map { values, g in
                    let kept = values.filter { abs($0 - g) < 3 * Physics.energyResolution * g }
                    return kept.isEmpty ? g : kept.reduce(0, +) / Double(kept.count)
                }
            }
            if iteration < 2 { outcome = "iterate" }
            try Constants.write(gains, to: "\(folder)/ECLGains.txt")
        case "cdc-t0":
            var times: [Double] = []
            for path in inputs {
                times += try EventFile.read(path).records.map { RawEvent(record: $0) }.filter { $0.triggers & Physics.Trigger.bhabha.rawValue != 0 }.map(\.time)
            }
            said.append(("entries", String(times.count)))
            if times.count < (minimum ?? 50) { outcome = "not_enough_data"; break }
            try Constants.write([times.reduce(0, +) / Double(times.count)], to: "\(folder)/CDCT0.txt")
        case "beamspot":
            var x: [Double] = [], y: [Double] = []
            for path in inputs {
                let file = try EventFile.read(path)
                guard file.level == .cdst else { throw SimulationError("\(path): the beam spot is measured on cDST") }
                for record in file.records { let e = RecoEvent(record: record, level: .cdst); x.append(e.vx); y.append(e.vy) }
            }
            said.append(("entries", String(x.count)))
            if x.count < (minimum ?? 100) { outcome = "not_enough_data"; break }
            try Constants.write([x.reduce(0, +) / Double(x.count), y.reduce(0, +) / Double(y.count)], to: "\(folder)/BeamSpot.txt")
        default:
            throw SimulationError("unknown algorithm '\(algorithm)' (ecl-gains, cdc-t0, beamspot)")
        }
        said.append(("outcome", outcome))
        print(said.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        if let result = JobVariables.value("CONVEYOR_RESULT") { try outcome.write(toFile: result, atomically: true, encoding: .utf8) }
    }
}
