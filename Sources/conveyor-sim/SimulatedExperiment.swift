import ArgumentParser
import Foundation

/// A simulated experiment for trying Conveyor: the programs a real experiment would run as jobs
/// (raw-data generation, HLT skims, reconstruction, calibration algorithms, a quality step,
/// physics skims), run by Conveyor exactly as it runs a real experiment's software. It reads its
/// constants from the payload files Conveyor exports for a job (`$CONVEYOR_CONDITIONS`) and takes
/// its inputs and outputs from the `CONVEYOR_*` variables; every option can also be given by hand.
@main
struct SimulatedExperiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conveyor-sim",
        abstract: "A simulated particle-physics experiment for Conveyor's demo and tests.",
        subcommands: [Generate.self, HLTSkim.self, Reconstruct.self, Skim.self, Calibrate.self, Quality.self, Masses.self]
    )
}

/// Reads `CONVEYOR_*` variables for options not given.
enum JobEnvironment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func inputs(_ given: [String]) throws -> [String] {
        let list = given.isEmpty ? (value("CONVEYOR_INPUT")?.split(separator: " ").map(String.init) ?? []) : given
        guard !list.isEmpty else { throw SimulationError("no input files (give them, or set CONVEYOR_INPUT)") }
        return list
    }

    static func required(_ given: String?, _ variable: String, _ what: String) throws -> String {
        guard let value = given ?? value(variable) else { throw SimulationError("no \(what) (give it, or set \(variable))") }
        return value
    }

    /// Appends `key=value` lines to `$CONVEYOR_REPORT` (and prints them).
    static func report(_ pairs: [(String, String)]) {
        let text = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
        print(text, terminator: "")
        guard let path = value("CONVEYOR_REPORT") else { return }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try? handle.close()
        } else {
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Simulate runs: one raw file per run, a run summary and the shifters' quality findings.")
    @Option(help: "Experiment.") var exp = 8
    @Option(help: "Runs, FIRST-LAST.") var runs = "1-20"
    @Option(help: "Events per run.") var events = 20_000
    @Option(help: "Output folder (raw files under raw/).") var out: String
    @Option(help: "Seed of the random numbers.") var seed: UInt64 = 2026

    func run() throws {
        let parts = runs.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1] else { throw SimulationError("--runs takes FIRST-LAST, e.g. 1-20") }
        guard events > 0 else { throw SimulationError("--events must be positive") }
        var summary = "exp,run,type,start,stop,events,online_lumi\n"
        var quality = "exp,run,detector,flag,reason\n"
        let start = Date(timeIntervalSince1970: 1_793_000_000)
        let format = ISO8601DateFormatter()
        for run in parts[0]...parts[1] {
            var random = Random(seed: seed &+ UInt64(exp) << 32 &+ UInt64(run))
            let truth = Physics.TrueConstants(run: run)
            let records = (0..<events).map { RawEvent(number: UInt32($0), truth: truth, random: &random).record }
            try EventFile(level: .raw, exp: UInt32(exp), run: UInt32(run), records: records, recordSize: RawEvent.size)
                .write(to: "\(out)/raw/e\(String(format: "%04d", exp))/r\(String(format: "%05d", run)).raw")
            let begin = start.addingTimeInterval(Double(run - parts[0]) * 3_600), end = begin.addingTimeInterval(3_000)
            summary += "\(exp),\(run),physics,\(format.string(from: begin)),\(format.string(from: end)),\(events),\(Physics.luminosity(events: events))\n"
            // Real runs go bad now and then: an HV trip in the drift chamber, a noisy calorimeter crate.
            if run % 7 == 3 { quality += "\(exp),\(run),CDC,BAD,HV trip in superlayer 4\n" }
            else if run % 11 == 5 { quality += "\(exp),\(run),ECL,BAD,noisy crate 12\n" }
            else { quality += "\(exp),\(run),,GOOD,all detectors fine\n" }
        }
        try summary.write(toFile: "\(out)/runs.csv", atomically: true, encoding: .utf8)
        try quality.write(toFile: "\(out)/quality.csv", atomically: true, encoding: .utf8)
        print("simulated runs \(runs) of experiment \(exp), \(events) events each, in \(out)/raw")
    }
}

struct HLTSkim: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hlt-skim", abstract: "Copy the events that fired given trigger bits into a skim file (pure I/O).")
    @Option(help: "Trigger names, comma-separated: bhabha, gamma_gamma, hadron, mumu, random.") var triggers: String
    @Option(help: "The skim file to write.") var output: String
    @Argument(help: "Raw files.") var inputs: [String]

    func run() throws {
        var mask: UInt8 = 0
        for name in triggers.split(separator: ",") {
            guard let trigger = Physics.Trigger(named: String(name)) else { throw SimulationError("unknown trigger '\(name)'") }
            mask |= trigger.rawValue
        }
        var kept: [[UInt8]] = []
        var header: EventFile?
        for path in inputs {
            let file = try EventFile.read(path)
            guard file.level == .raw else { throw SimulationError("\(path) is not raw data") }
            header = header ?? file
            kept += file.records.filter { $0[4] & mask != 0 }
        }
        guard let header else { throw SimulationError("no input files") }
        try EventFile(level: .raw, exp: header.exp, run: header.run, records: kept, recordSize: RawEvent.size).write(to: output)
        print("\(kept.count) events")
    }
}

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reco", abstract: "Reconstruct raw data into cDST or mDST with the constants of $CONVEYOR_CONDITIONS.")
    @Option(help: "cdst or mdst (default $CONVEYOR_OUTPUT_LEVEL).") var level: String?
    @Option(help: "Output file (default $CONVEYOR_OUTPUT).") var output: String?
    @Option(help: "Folder of payload files (default $CONVEYOR_CONDITIONS; none: nominal constants).") var conditions: String?
    @Argument(help: "Raw files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        let clock = ContinuousClock.now
        let level: EventFile.Level = switch try JobEnvironment.required(self.level, "CONVEYOR_OUTPUT_LEVEL", "output level") {
        case "cdst": .cdst
        case "mdst": .mdst
        case let other: throw SimulationError("reconstruction writes cdst or mdst, not \(other)")
        }
        let constants = try Constants(directory: conditions ?? JobEnvironment.value("CONVEYOR_CONDITIONS"))
        var records: [[UInt8]] = []
        var header: EventFile?
        for path in try JobEnvironment.inputs(inputs) {
            let file = try EventFile.read(path)
            guard file.level == .raw else { throw SimulationError("\(path) is not raw data") }
            header = header ?? file
            records += file.records.map { RecoEvent(RawEvent(record: $0), constants: constants).record(level) }
        }
        try EventFile(level: level, exp: header!.exp, run: header!.run, records: records,
                      recordSize: level == .cdst ? RecoEvent.cdstSize : RecoEvent.mdstSize)
            .write(to: try JobEnvironment.required(output, "CONVEYOR_OUTPUT", "output file"))
        JobEnvironment.report([("events", String(records.count)), ("seconds", String(format: "%.3f", (ContinuousClock.now - clock).seconds))])
    }
}

struct Skim: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the mDST events of a physics skim ($CONVEYOR_SKIM: a trigger name) to a uDST.")
    @Option(help: "The skim (default $CONVEYOR_SKIM).") var skim: String?
    @Option(help: "Output file (default $CONVEYOR_OUTPUT).") var output: String?
    @Argument(help: "mDST files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        let name = try JobEnvironment.required(skim, "CONVEYOR_SKIM", "skim")
        guard let trigger = Physics.Trigger(named: name) else { throw SimulationError("unknown skim '\(name)' (skims are trigger names such as hadron)") }
        var kept: [[UInt8]] = []
        var header: EventFile?
        for path in try JobEnvironment.inputs(inputs) {
            let file = try EventFile.read(path)
            guard file.level == .mdst else { throw SimulationError("\(path) is not an mDST") }
            header = header ?? file
            kept += file.records.filter { $0[4] & trigger.rawValue != 0 }
        }
        try EventFile(level: .udst, exp: header!.exp, run: header!.run, records: kept, recordSize: RecoEvent.mdstSize)
            .write(to: try JobEnvironment.required(output, "CONVEYOR_OUTPUT", "output file"))
        JobEnvironment.report([("events", String(kept.count))])
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
