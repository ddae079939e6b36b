import ArgumentParser
import ConveyorCore
import ConveyorRuns

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp",
        abstract: "Experiment settings: the detectors runs are flagged for (Belle II's until set).",
        subcommands: [Set.self, List.self, Show.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an experiment's name and detectors (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Experiment number.") var exp: Int
        @Option(help: "Detectors, comma-separated (e.g. PXD,SVD,CDC,TOP,ARICH,ECL,KLM,TRG).") var detectors: String
        @Option(help: "A name for the experiment.") var name = ""

        func run() async throws {
            let configuration = try ExperimentConfiguration(
                exp: exp, name: name, detectors: detectors.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
            try await global.withStore { store in try await RunRegistry(store: store).configure(configuration, by: .currentLocalOperator) }
            Output.line("experiment \(exp): \(configuration.detectors.joined(separator: " "))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List experiments with a stored configuration.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let experiments = try await global.withStore { store in try await RunRegistry(store: store).experiments() }
            if output.json { return try Output.json(experiments) }
            Output.table(["EXP", "NAME", "DETECTORS"], experiments.map { [String($0.exp), $0.name, $0.detectors.joined(separator: " ")] }, rightAligned: [0])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an experiment's detectors (Belle II's when none were set).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Experiment number.") var exp: Int

        func run() async throws {
            let configuration = try await global.withStore { store in try await RunRegistry(store: store).configuration(of: exp) }
            if output.json { return try Output.json(configuration) }
            Output.line(
                "experiment \(configuration.exp)\(configuration.name.isEmpty ? "" : " (\(configuration.name))"): \(configuration.detectors.joined(separator: " "))"
            )
        }
    }
}
