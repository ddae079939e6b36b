import ArgumentParser
import Foundation

struct Reconstruct: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reco", abstract: "Reconstruct raw data into cDST or mDST with the constants of $CONVEYOR_CONDITIONS.")
    @Option(help: "cdst or mdst (default $CONVEYOR_OUTPUT_LEVEL).") var level: String?
    @Option(help: "Output file (default $CONVEYOR_OUTPUT).") var output: String?
    @Option(help: "Folder of payload files (default $CONVEYOR_CONDITIONS; none: nominal constants).") var conditions: String?
    @Argument(help: "Raw files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        let clock = ContinuousClock.now
        let level: EventFile.Level =
            switch try JobVariables.required(self.level, "CONVEYOR_OUTPUT_LEVEL", "output level") {
            case "cdst": .cdst
            case "mdst": .mdst
            case let other: throw SimulationError("reconstruction writes cdst or mdst, not \(other)")
            }
        let constants = try Constants(directory: conditions ?? JobVariables.value("CONVEYOR_CONDITIONS"))
        var records: [[UInt8]] = []
        var header: EventFile?
        for path in try JobVariables.inputs(inputs) {
            let file = try EventFile.read(path)
            guard file.level == .raw else { throw SimulationError("\(path) is not raw data") }
            header = header ?? file
            records += file.records.map { RecoEvent(RawEvent(record: $0), constants: constants).record(level) }
        }
        try EventFile(
            level: level, exp: header!.exp, run: header!.run, records: records,
            recordSize: level == .cdst ? RecoEvent.cdstSize : RecoEvent.mdstSize
        )
        .write(to: try JobVariables.required(output, "CONVEYOR_OUTPUT", "output file"))
        JobVariables.report([("events", String(records.count)), ("seconds", String(format: "%.3f", (ContinuousClock.now - clock).seconds))])
    }
}
