import ArgumentParser
import ConveyorCore
import ConveyorMonitoring
import ConveyorRuns
import Foundation

extension QMCommand {
    struct ReferenceCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reference", abstract: "References: what a variable is compared with over a run range, and how.", subcommands: [Set.self, List.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set a variable's reference for a run range from a good run's value or a given value (role expert); its runs are compared again.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The variable, e.g. cdc/hit_map.") var variable: String
            @Option(help: "Experiment.") var exp: Int
            @Option(help: "Run range FIRST-LAST it is valid for.") var runs: String
            @Option(help: "Take the reference from this run's value (EXP:RUN or RUN).") var fromRun: String?
            @Option(help: "The processing of --from-run.") var processing = "express"
            @Option(help: "A reference value (a fit result) instead of a run's.") var value: Double?
            @Option(help: "The test: ks:WARNING,BAD, chi2:WARNING,BAD, rel:WARNING,BAD or abs:WARNING,BAD.") var test: String
            @Option(help: "Why this reference (which run, which fit).") var reason: String

            func run() async throws {
                let range = try RunQuery.runRange(parsing: runs)
                let comparison = try QualityComparison(parsing: test)
                let source: QualityMonitoring.ReferenceSource
                switch (fromRun, value) {
                case (let run?, nil):
                    guard let target = run.contains(":") ? try ExpRun(parsing: run) : Int(run).map({ ExpRun(exp: exp, run: $0) }) else {
                        throw ConveyorError.invalidInput("--from-run takes EXP:RUN or RUN, not '\(run)'")
                    }
                    source = .run(target, processing: processing)
                case (nil, let value?): source = .value(value)
                default: throw ConveyorError.invalidInput("give the reference as --from-run RUN or --value X, one of them")
                }
                let outcome = try await global.withStore { store in
                    try await QualityMonitoring(store: store).setReference(
                        variable: variable, exp: exp, runs: range, from: source, comparison: comparison, reason: reason, by: .currentLocalOperator)
                }
                if output.json { return try Output.json(outcome) }
                Output.line(
                    "reference \(outcome.reference.id) for \(variable), exp \(exp) runs \(range.lowerBound)-\(range.upperBound), \(comparison): "
                        + "\(outcome.runsCompared) run(s) compared again, \(outcome.opened.count) proposal(s) opened")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "A variable's references, newest first (the first covering a run is in force).")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The variable.") var variable: String
            @Option(help: "Experiment.") var exp: Int

            func run() async throws {
                let references = try await global.withStore { store in try await QualityMonitoring(store: store).references(of: variable, exp: exp) }
                if output.json { return try Output.json(references) }
                guard !references.isEmpty else { return Output.line("\(variable) has no reference in experiment \(exp)") }
                Output.table(
                    ["ID", "RUNS", "TEST", "REFERENCE", "SET", "BY", "REASON"],
                    references.map { r in
                        [
                            String(r.id), "\(r.firstRun)-\(r.lastRun)", r.comparison.description,
                            r.histogram.map { "histogram, \($0.binCount) bins" } ?? r.value.map { String(format: "%.5g", $0) } ?? "-", r.at.short, r.by,
                            r.reason,
                        ]
                    })
            }
        }
    }

    struct Proposals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Quality flags monitoring proposed, oldest first (open ones unless --state).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "open, confirmed, rejected, applied, withdrawn or all.") var state = "open"

        func run() async throws {
            let wanted = state == "all" ? nil : try QualityProposal.State(parsing: state)
            let proposals = try await global.withStore { store in try await QualityMonitoring(store: store).proposals(state: wanted) }
            if output.json { return try Output.json(proposals) }
            guard !proposals.isEmpty else { return Output.line("no \(state == "all" ? "" : state + " ")proposals") }
            for proposal in proposals { Output.line(Self.describe(proposal)) }
        }

        static func describe(_ p: QualityProposal) -> String {
            let decided = p.decidedBy.map { " by \($0)\(p.comment.map { ": \($0)" } ?? "")" } ?? ""
            return "proposal \(p.id): run \(p.run) \(p.detector) \(p.flag) (\(p.processing)) \(p.state.rawValue)\(decided) — \(p.reason)"
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a proposed flag: it becomes a quality event (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The proposal's id.") var id: Int64
        @Option(help: "A comment for the record.") var comment: String?

        func run() async throws {
            let p = try await global.withStore { store in try await QualityMonitoring(store: store).confirm(id, comment: comment, by: .currentLocalOperator) }
            Output.line("run \(p.run) \(p.detector) flagged \(p.flag): proposal \(p.id) confirmed")
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a proposed flag, saying why (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The proposal's id.") var id: Int64
        @Option(help: "Why it is rejected.") var comment: String

        func run() async throws {
            let p = try await global.withStore { store in try await QualityMonitoring(store: store).reject(id, comment: comment, by: .currentLocalOperator) }
            Output.line("proposal \(p.id) for run \(p.run) \(p.detector) rejected")
        }
    }

    struct AutoApply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "auto-apply", abstract: "Detectors whose proposals are applied without a person in an experiment (role manager); --none for none.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Experiment.") var exp: Int
        @Option(help: "Detectors, comma-separated.") var detectors: String?
        @Flag(help: "Every proposal waits for a person.") var none = false

        func run() async throws {
            guard (detectors != nil) != none else { throw ConveyorError.invalidInput("give --detectors LIST or --none, one of them") }
            let list = detectors?.split(separator: ",").map { String($0) } ?? []
            let set = try await global.withStore { store in
                try await QualityMonitoring(store: store).setAutoApply(exp: exp, detectors: list, by: .currentLocalOperator)
            }
            Output.line(
                set.isEmpty
                    ? "experiment \(exp): every proposal waits for a person" : "experiment \(exp): applied without a person: \(set.joined(separator: ", "))")
        }
    }
}
