import ArgumentParser
import ConveyorCore
import ConveyorSkims
import Foundation

/// `conveyor round`: skim and stripping rounds, from their selections to their bookkeeping.
struct RoundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "round",
        abstract: "Skim/stripping rounds: subscribe selections, test them on a sample, group them into streams, submit, and account.",
        subcommands: [
            Create.self, List.self, Show.self, Subscribe.self, Unsubscribe.self, Test.self, Streams.self, Overlaps.self, Submit.self, Files.self,
            Normalise.self, Provenance.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a round reading a request's mDST (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round's name.") var name: String
        @Option(help: "The request whose mDST it reads.") var input: String
        @Option(help: "The release.") var release: String
        @Option(help: "Global tags, comma-separated, highest priority first.") var globalTags: String
        @Option(help: "The program that writes a stream from its selections.") var program: String
        @Option(help: "Runs of the sample, comma-separated (default: the first --sample-size runs).") var sampleRuns: String?
        @Option(help: "Runs in the sample when --sample-runs is not given.") var sampleSize = 3
        @Option(help: "Largest share of events one selection may keep.") var retention = 0.1
        @Option(help: "Largest share all selections may keep together.") var totalRetention = 0.5
        @Option(help: "Largest CPU seconds per input event.") var cpuPerEvent = 0.01
        @Option(help: "Largest output bytes per input event.") var bytesPerEvent = 10.0
        @Option(help: "At most this many streams.") var maxStreams = 10
        @Option(help: "No selection below this share of its stream's events.") var minShare = 0.1

        func run() async throws {
            var runs: [Int] = []
            for part in (sampleRuns ?? "").split(separator: ",") {
                guard let run = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ConveyorError.invalidInput("--sample-runs takes run numbers, not '\(part)'")
                }
                runs.append(run)
            }
            let round = StrippingRound(
                name: name, input: input, release: release, globalTags: globalTags.split(separator: ",").map(String.init), program: program,
                sampleRuns: runs, sampleSize: sampleSize,
                limits: RoundLimits(
                    retention: retention, totalRetention: totalRetention, cpuPerEvent: cpuPerEvent, bytesPerEvent: bytesPerEvent, maxStreams: maxStreams,
                    minShare: minShare))
            let made = try await global.withStore { store in try await StrippingRounds(store: store).create(round, by: .currentLocalOperator) }
            if output.json { return try Output.json(made) }
            Output.line("round \(made.name) created: reads the mDST of \(made.input); subscribe selections, then conveyor round test \(made.name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every round, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let rounds = try await global.withStore { store in try await StrippingRounds(store: store).rounds() }
            if output.json { return try Output.json(rounds) }
            guard !rounds.isEmpty else { return Output.line("no rounds") }
            Output.table(
                ["NAME", "STATE", "INPUT", "RELEASE", "STREAMS", "REQUEST"],
                rounds.map { [$0.name, $0.state.rawValue, $0.input, $0.release, String($0.grouping?.streams.count ?? 0), $0.request ?? "-"] })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A round: its selections with their tests and streams, and its streams' sizes.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String

        func run() async throws {
            let report = try await global.withStore { store in try await StrippingRounds(store: store).report(name) }
            if output.json { return try Output.json(report) }
            let r = report.round
            Output.line(
                "round \(r.name): \(r.state.rawValue); input \(r.input), \(r.release), tags \(r.globalTags.joined(separator: ","))\(r.request.map { ", request \($0)" } ?? "")"
            )
            Output.table(
                ["SELECTION", "GROUP", "STATUS", "RETENTION", "CPU/EVENT", "BYTES/EVENT", "STREAM", "WHY"],
                report.selections.map { row in
                    [
                        row.selection.name, row.selection.group, row.subscription?.state.rawValue ?? "-",
                        row.test.map { RoundLimits.percent($0.retention) } ?? "-",
                        row.test.map { RoundLimits.milliseconds($0.cpuPerEvent) } ?? "-", row.test.map { RoundLimits.decimal($0.bytesPerEvent) } ?? "-",
                        row.stream ?? "-", row.subscription?.state == .unsubscribed ? row.subscription!.reason : "",
                    ]
                })
            if let streams = report.streams {
                Output.line(
                    "streams: \(streams.streams.count), duplication factor \(RoundLimits.decimal(streams.duplicationFactor)), "
                        + "\(streams.writtenEvents) of \(streams.sampleEvents) sample events written")
                for s in streams.streams { Output.line("  \(s.name): \(s.events) events — \(s.selections.joined(separator: ", "))") }
                for w in streams.warnings { Output.line("  warning: \(w)\(r.groupingReason.map { " (accepted: \($0))" } ?? "")") }
            }
            if let over = report.overBudget { Output.line("cannot submit: \(over)") }
        }
    }

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe selections to a round (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The round.") var round: String
        @Argument(help: "Selections.") var selections: [String]
        @Option(help: "Why (e.g. the physics group's request).") var reason = "subscribed"

        func run() async throws {
            try await global.withStore { store in
                try await StrippingRounds(store: store).subscribe(selections, to: round, reason: reason, by: .currentLocalOperator)
            }
            Output.line("\(selections.count) selection(s) subscribed to round \(round)")
        }
    }

    struct Unsubscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unsubscribe a selection from a round, saying why (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The round.") var round: String
        @Argument(help: "The selection.") var selection: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            try await global.withStore { store in
                try await StrippingRounds(store: store).unsubscribe(selection, from: round, reason: reason, by: .currentLocalOperator)
            }
            Output.line("\(selection) unsubscribed from round \(round)")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every subscribed selection on the round's sample; unsubscribe what fails its limits and propose streams (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String

        func run() async throws {
            let report = try await global.withStore { store in try await StrippingRounds(store: store).test(name, by: .currentLocalOperator) }
            if output.json { return try Output.json(report) }
            Output.line(
                "round \(name): \(report.results.count) selection(s) tested on \(report.sampleRuns.count) run(s), \(report.sampleFiles) file(s), \(report.sampleEvents) events"
            )
            for result in report.results {
                let figures =
                    "retention \(RoundLimits.percent(result.retention)), CPU \(RoundLimits.milliseconds(result.cpuPerEvent))/event, \(RoundLimits.decimal(result.bytesPerEvent)) bytes/event"
                Output.line("  \(result.selection): \(result.passed ? "passed" : "UNSUBSCRIBED") — \(result.verdict ?? figures)")
            }
            Output.line("together they keep \(RoundLimits.percent(report.totalRetention)) of the sample")
            if let grouping = report.grouping {
                Output.line("proposed streams: " + grouping.streams.map { "\($0.name)=\($0.selections.joined(separator: ","))" }.joined(separator: " "))
            }
            if let over = report.overBudget { Output.line("cannot submit: \(over)") }
        }
    }

    struct Streams: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a tested round's streams by hand: NAME=SEL,SEL … (role manager); a breach of the 10 % rule needs --reason.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String
        @Argument(help: "Streams as NAME=SELECTION,SELECTION.") var streams: [String]
        @Option(help: "Why a breach of the rules is accepted.") var reason: String?

        func run() async throws {
            let grouping = try StrippingRounds.grouping(parsing: streams)
            let outcome = try await global.withStore { store in
                try await StrippingRounds(store: store).setStreams(name, grouping, reason: reason, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(outcome) }
            Output.line("round \(name): \(grouping.streams.count) stream(s), duplication factor \(RoundLimits.decimal(outcome.figures.duplicationFactor))")
            for warning in outcome.figures.warnings { Output.line("  accepted: \(warning)") }
        }
    }

    struct Overlaps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The overlap matrix of a tested round: the share of each row's events the column also keeps.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String

        func run() async throws {
            let matrix = try await global.withStore { store in try await StrippingRounds(store: store).overlaps(name) }
            if output.json { return try Output.json(matrix) }
            let n = matrix.names.count
            Output.table(
                ["SELECTION", "EVENTS"] + matrix.names,
                (0..<n).map { i in [matrix.names[i], String(matrix.counts[i])] + (0..<n).map { j in RoundLimits.percent(matrix.share(of: i, alsoIn: j)) } })
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit a tested round: one file per stream per input mDST (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The round.") var name: String

        func run() async throws {
            let submission = try await global.withStore { store in try await StrippingRounds(store: store).submit(name, by: .currentLocalOperator) }
            if output.json { return try Output.json(submission) }
            Output.line("round \(name) submitted as request \(submission.request): workflow \(submission.workflowID), \(submission.jobs) job(s)")
        }
    }
}
