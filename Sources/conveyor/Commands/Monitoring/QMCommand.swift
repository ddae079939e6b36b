import ArgumentParser
import ConveyorCore
import ConveyorMonitoring
import ConveyorRuns
import Foundation

/// `conveyor qm`: quality monitoring — histograms and scalars per run against references,
/// trends across runs, two processings side by side, and the flags monitoring proposes.
struct QMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qm",
        abstract: "Quality monitoring: per-run histograms against references, trends, proposed quality flags.",
        subcommands: [
            Import.self, Show.self, Trend.self, Compare.self, ReferenceCommand.self, Proposals.self, Confirm.self, Reject.self, AutoApply.self,
        ]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store monitoring files (the quality program's JSON: run, processing, histograms, scalars) and compare their runs (role expert).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The processing (express, prompt, procN), for files that name none or to override theirs.") var processing: String?
        @Argument(help: "Monitoring files, one run each.") var files: [String]

        func run() async throws {
            guard !files.isEmpty else { throw ConveyorError.invalidInput("give at least one monitoring file") }
            // Every file is read and checked before anything is stored.
            let parsed = try files.map { path throws(ConveyorError) -> MonitoringFile in
                guard let data = FileManager.default.contents(atPath: path) else { throw ConveyorError.notFound("cannot read \(path)") }
                let file = try MonitoringFile(json: data, file: path)
                _ = try file.values(processing: processing, version: 1, at: .now, by: "check")
                return file
            }
            let outcomes = try await global.withStore { store in
                var outcomes: [QualityMonitoring.Outcome] = []
                for file in parsed {
                    outcomes.append(try await QualityMonitoring(store: store).record(file, processing: processing, by: .currentLocalOperator))
                }
                return outcomes
            }
            if output.json { return try Output.json(outcomes) }
            for outcome in outcomes {
                let bad = outcome.comparisons.filter { $0.verdict == .bad }.map(\.variable)
                Output.line(
                    "run \(outcome.run) \(outcome.processing) v\(outcome.version): \(outcome.variables) variable(s)"
                        + (bad.isEmpty ? ", none bad" : ", bad: \(bad.joined(separator: ", "))")
                        + outcome.opened.map { "; \($0.state == .applied ? "applied" : "proposed") \($0.detector) \($0.flag) (proposal \($0.id))" }.joined())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run's monitoring: each variable against its reference, and the proposals.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run, EXP:RUN.") var run: String
        @Option(help: "The processing (default: the run's newest).") var processing: String?

        func run() async throws {
            let run = try ExpRun(parsing: self.run)
            let shown = try await global.withStore { store in try await QualityMonitoring(store: store).show(run, processing: processing) }
            if output.json { return try Output.json(shown) }
            guard let processing = shown.processing else { return Output.line("run \(run) has no monitoring values") }
            Output.line("run \(run), \(processing) (processings: \(shown.processings.joined(separator: ", ")))")
            Output.table(
                ["VARIABLE", "DETECTOR", "V", "VALUE", "TEST", "VERDICT", "FIGURE", "REASON"],
                shown.entries.map { e in
                    [
                        e.value.variable, e.comparison.detector ?? "-", String(e.value.version), e.value.shortDescription, e.comparison.test ?? "-",
                        e.comparison.verdict.rawValue, e.comparison.figure.map { String(format: "%.3g", $0) } ?? "-", e.comparison.reason,
                    ]
                })
            for proposal in shown.proposals { Output.line(Proposals.describe(proposal)) }
        }
    }

    struct Trend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A variable across runs: value (histograms: their mean) with errors, reference band, bad runs.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The variable, e.g. physics/mass_mean.") var variable: String
        @Option(help: "Experiment.") var exp: Int
        @Option(help: "Run range FIRST-LAST.") var runs: String
        @Option(help: "The processing.") var processing = "prompt"

        func run() async throws {
            let range = try RunQuery.runRange(parsing: runs)
            let trend = try await global.withStore { store in
                try await QualityMonitoring(store: store).trend(of: variable, processing: processing, exp: exp, runs: range)
            }
            if output.json { return try Output.json(trend) }
            for band in trend.bands {
                Output.line(
                    "reference runs \(band.firstRun)-\(band.lastRun): \(String(format: "%.5g", band.value))"
                        + (band.low.map { l in band.high.map { String(format: " (band %.5g … %.5g)", l, $0) } ?? "" } ?? "") + ", \(band.test)")
            }
            Output.table(
                ["RUN", "VALUE", "ERROR", "VERDICT", "FLAGGED"],
                trend.points.map { p in
                    [
                        String(p.run), String(format: "%.5g", p.value), p.error.map { String(format: "%.2g", $0) } ?? "-", p.verdict.rawValue,
                        p.flaggedBad ? "BAD" : "",
                    ]
                }, rightAligned: [0])
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Two processings of the same runs side by side (e.g. prompt,proc12).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Two processings, A,B.") var processing: String
        @Option(help: "Experiment.") var exp: Int
        @Option(help: "Run range FIRST-LAST.") var runs: String

        func run() async throws {
            let names = processing.split(separator: ",").map(String.init)
            guard names.count == 2 else { throw ConveyorError.invalidInput("--processing takes two processings, A,B") }
            let range = try RunQuery.runRange(parsing: runs)
            let compared = try await global.withStore { store in try await QualityMonitoring(store: store).compare(names[0], names[1], exp: exp, runs: range) }
            if output.json { return try Output.json(compared) }
            func number(_ x: Double?) -> String { x.map { String(format: "%.5g", $0) } ?? "-" }
            Output.table(
                ["RUN", "VARIABLE", names[0].uppercased(), names[1].uppercased(), "DIFFERENCE", "CHI2/NDF"],
                compared.rows.map { [String($0.run), $0.variable, number($0.first), number($0.second), number($0.difference), number($0.chi2PerNDF)] },
                rightAligned: [0])
        }
    }
}
