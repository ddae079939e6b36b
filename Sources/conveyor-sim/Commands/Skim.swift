import ArgumentParser
import Foundation

struct Skim: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the mDST events of a physics skim ($CONVEYOR_SKIM: a trigger name) to a uDST.")
    @Option(help: "The skim (default $CONVEYOR_SKIM).") var skim: String?
    @Option(help: "Output file (default $CONVEYOR_OUTPUT).") var output: String?
    @Argument(help: "mDST files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        let name = try JobVariables.required(skim, "CONVEYOR_SKIM", "skim")
        guard let trigger = Physics.Trigger(named: name) else { throw SimulationError("unknown skim '\(name)' (skims are trigger names such as hadron)") }
        var kept: [[UInt8]] = []
        var header: EventFile?
        for path in try JobVariables.inputs(inputs) {
            let file = try EventFile.read(path)
            guard file.level == .mdst else { throw SimulationError("\(path) is not an mDST") }
            header = header ?? file
            kept += file.records.filter { $0[4] & trigger.rawValue != 0 }
        }
        try EventFile(level: .udst, exp: header!.exp, run: header!.run, records: kept, recordSize: RecoEvent.mdstSize)
            .write(to: try JobVariables.required(output, "CONVEYOR_OUTPUT", "output file"))
        JobVariables.report([("events", String(kept.count))])
    }
}
