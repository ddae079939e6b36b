import ArgumentParser
import ConveyorCore
import ConveyorRuns
import Foundation

struct GoodRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goodruns",
        abstract: "The runs that were good at a moment: summary GOOD and every required detector GOOD."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Experiment.") var exp: Int
    @Option(help: "Detectors that must be GOOD too, comma-separated (e.g. CDC,ECL).") var require: String?
    @OptionGroup var asOf: AsOfOption
    @Option(help: "json, golden (CMS certification JSON) or text (one EXP:RUN per line).") var format = "json"
    @Flag(help: "The other runs of the experiment: the anti-list.") var complement = false

    func run() async throws {
        guard ["json", "golden", "text"].contains(format) else {
            throw ConveyorError.invalidInput("unknown format '\(format)' (expected json, golden or text)")
        }
        let required = (require ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let moment = try asOf.timestamp
        let list = try await global.withStore { store in
            try await RunRegistry(store: store).goodRuns(exp: exp, requiring: required, asOf: moment, complement: complement)
        }
        switch format {
        case "golden": try Output.json(list.golden)
        case "text": FileHandle.standardOutput.write(Data(list.text.utf8))
        default: try Output.json(list)
        }
    }
}
