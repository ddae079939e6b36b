import ArgumentParser
import Foundation

/// Writes one stream of a stripping round: runs each of the stream's selections
/// (`$CONVEYOR_SELECTIONS`, a JSON list of name, command and prescale) on the input mDST and
/// writes every event any of them kept, once, to the stream's uDST.
struct Strip: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a stream of a stripping round from its selections ($CONVEYOR_SELECTIONS).")
    @Option(help: "The stream's file (default $CONVEYOR_OUTPUT).") var output: String?
    @Argument(help: "mDST files (default $CONVEYOR_INPUT).") var inputs: [String] = []

    struct SelectionSpec: Decodable {
        let name: String
        let command: String
        let prescale: Int
    }

    func run() throws {
        let text = try JobVariables.required(nil, "CONVEYOR_SELECTIONS", "selections")
        let selections = try JSONDecoder().decode([SelectionSpec].self, from: Data(text.utf8))
        guard !selections.isEmpty else { throw SimulationError("the stream has no selection") }
        let inputs = try JobVariables.inputs(inputs)
        let output = try JobVariables.required(output, "CONVEYOR_OUTPUT", "output file")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("strip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var union = Set<Int>()
        var counts: [(String, String)] = []
        for selection in selections {
            let list = scratch.appendingPathComponent(selection.name).path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", selection.command]
            var environment = ProcessInfo.processInfo.environment
            environment["CONVEYOR_INPUT"] = inputs.joined(separator: " ")
            environment["CONVEYOR_SELECTED"] = list
            environment["CONVEYOR_PRESCALE"] = String(selection.prescale)
            environment["CONVEYOR_SELECTION"] = selection.name
            environment["CONVEYOR_OUTPUT"] = nil
            environment["CONVEYOR_REPORT"] = nil
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw SimulationError("selection \(selection.name) exited \(process.terminationStatus)") }
            let kept = try String(contentsOfFile: list, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap { Int($0) }
            union.formUnion(kept)
            counts.append(("selection.\(selection.name)", String(kept.count)))
        }
        var records: [[UInt8]] = []
        var header: EventFile?
        var ordinal = 0
        for path in inputs {
            let file = try EventFile.read(path)
            guard file.level == .mdst else { throw SimulationError("\(path) is not an mDST") }
            header = header ?? file
            for record in file.records {
                if union.contains(ordinal) { records.append(record) }
                ordinal += 1
            }
        }
        guard let header else { throw SimulationError("no input files") }
        try EventFile(level: .udst, exp: header.exp, run: header.run, records: records, recordSize: RecoEvent.mdstSize).write(to: output)
        JobVariables.report([("events", String(records.count))] + counts)
    }
}
