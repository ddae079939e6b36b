import ArgumentParser
import ConveyorCore
import ConveyorRuns
import ConveyorSkims
import Foundation

extension RoundCommand {
    struct Files: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The exact files a round wrote for a selection (or all), with their status.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String
        @Option(help: "Only this selection's files.") var selection: String?

        func run() async throws {
            let files = try await global.withStore { store in try await StrippingRounds(store: store).files(of: name, selection: selection) }
            if output.json { return try Output.json(files) }
            guard !files.isEmpty else { return Output.line("round \(name) has written no file\(selection.map { " of \($0)" } ?? "") yet") }
            Output.table(
                ["LFN", "RUN", "STREAM", "SELECTION", "EVENTS", "STATUS"],
                files.map { [$0.lfn, $0.run.description, $0.stream, $0.selection, String($0.events), $0.status.rawValue] })
        }
    }

    struct Normalise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A selection's luminosity (divided by its prescale), events and reported counts in a round, for all its files and the readable ones.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String
        @Option(help: "The selection.") var selection: String

        func run() async throws {
            let n = try await global.withStore { store in try await StrippingRounds(store: store).normalise(name, selection: selection) }
            if output.json { return try Output.json(n) }
            NormaliseOutput.print(n)
        }
    }

    struct Provenance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What a round ran with: release, tags, conditions, and the runs good when it was submitted.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String

        func run() async throws {
            let p = try await global.withStore { store in try await StrippingRounds(store: store).provenance(of: name) }
            if output.json { return try Output.json(p) }
            Output.line(
                "round \(p.round): request \(p.request ?? "-"), release \(p.release), tags \(p.globalTags.joined(separator: ",")), program \(p.program)")
            Output.line("submitted \(p.submittedAt?.short ?? "not yet"); conditions resolved \(p.conditionsResolved.map(\.short).joined(separator: " to "))")
            Output.line("runs read: \(p.runs.map { String($0.run) }.joined(separator: ","))")
            if let good = p.goodRunsAtSubmission { Output.line("GOOD at submission: \(good.runs.map(String.init).joined(separator: ","))") }
            if !p.notGoodAtSubmission.isEmpty {
                Output.line("read but not GOOD at submission: \(p.notGoodAtSubmission.map(\.description).joined(separator: ", "))")
            }
        }
    }
}

/// How normalisations are printed by `round normalise` and `files normalise`.
enum NormaliseOutput {
    static func print(_ n: Normalisation) {
        func line(_ label: String, _ f: Normalisation.Figures) {
            let counts = f.counts.keys.sorted().map { " \($0) \(RoundLimits.decimal(f.counts[$0]!))" }.joined()
            Output.line(
                "\(label): \(f.files) file(s), \(f.events) events, \(RoundLimits.decimal(f.luminosity)) /pb over \(f.runs) run(s)\(counts)"
                    + (f.partlyCoveredRuns.isEmpty ? "" : "; partly covered runs: \(f.partlyCoveredRuns.map(\.description).joined(separator: ", "))"))
        }
        line("listed", n.listed)
        if !n.unreadable.isEmpty {
            line("readable", n.usable)
            Output.line("unreadable (bad or lost): \(n.unreadable.joined(separator: ", "))")
        }
        if n.prescale > 1 { Output.line("luminosity and counts divided by the prescale \(n.prescale)") }
    }
}

extension FilesCommand {
    struct Normalise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Luminosity, events and reported counts (e.g. bb) behind a list of LFNs (a file, one per line, or - for stdin).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The list of LFNs.") var list: String

        func run() async throws {
            let text: String
            if list == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: list) else { throw ConveyorError.invalidInput("cannot read \(list)") }
                text = String(decoding: data, as: UTF8.self)
            }
            let lfns = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            let n = try await global.withStore { store in try await FileCatalog(store: store).normalise(lfns) }
            if output.json { return try Output.json(n) }
            NormaliseOutput.print(n)
        }
    }

    struct Impact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "What a file (marked bad or lost, or about to be) changes: files made from it, round selections and file lists, with their corrected numbers.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The LFN.") var lfn: String

        func run() async throws {
            let impact = try await global.withStore { store in try await StrippingRounds(store: store).impact(of: lfn) }
            if output.json { return try Output.json(impact) }
            Output.line("\(impact.lfn): \(impact.status.rawValue); \(impact.derived.count) file(s) made from it")
            for change in impact.selections {
                let n = change.normalisation
                Output.line(
                    "  round \(change.round) \(change.selection) (stream \(change.stream)): \(RoundLimits.decimal(n.listed.luminosity)) → \(RoundLimits.decimal(n.usable.luminosity)) /pb, "
                        + "\(n.listed.events) → \(n.usable.events) events")
            }
            if !impact.datasets.isEmpty { Output.line("  file lists holding it: \(impact.datasets.joined(separator: ", "))") }
        }
    }
}

extension RunsCommand {
    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a count the experiment reports for a run, e.g. bb for B counting (role expert); file lists are normalised with it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN.") var run: String
        @Option(help: "The count's name, e.g. bb.") var name: String
        @Option(help: "Its value.") var value: Double
        @Option(help: "Its error.") var error: Double?

        func run() async throws {
            let target = try ExpRun(parsing: run)
            try await global.withStore { store in
                try await FileCatalog(store: store).setRunCount(target, name: name, value: value, error: error, by: .currentLocalOperator)
            }
            Output.line("run \(target): \(name) = \(value)")
        }
    }
}
