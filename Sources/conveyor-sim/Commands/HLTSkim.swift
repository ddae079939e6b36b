import ArgumentParser
import Foundation

struct HLTSkim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hlt-skim", abstract: "Copy the events that fired given trigger bits into a skim file (pure I/O).")
    @Option(help: "Trigger names, comma-separated: bhabha, gamma_gamma, hadron, mumu, random (default: $CONVEYOR_SKIM without its hlt_ prefix).")
    var triggers: String?
    @Option(help: "The skim file to write (default $CONVEYOR_OUTPUT).") var output: String?
    @Argument(help: "Raw files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    func run() throws {
        var mask: UInt8 = 0
        let skim = try JobVariables.required(triggers, "CONVEYOR_SKIM", "triggers")
        let triggers = skim.hasPrefix("hlt_") ? String(skim.dropFirst(4)) : skim
        let inputs = try JobVariables.inputs(inputs)
        let output = try JobVariables.required(output, "CONVEYOR_OUTPUT", "output file")
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
        JobVariables.report([("events", String(kept.count))])
    }
}
