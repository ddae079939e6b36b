import ArgumentParser
import ConveyorCore
import ConveyorDataTaking
import ConveyorLive
import Foundation

struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Live data taking: the data-taking configuration, and every run stream from arrival to certification.",
        subcommands: [Configure.self, Config.self, Schema.self, Status.self, Show.self, Cycle.self]
    )

    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a data-taking configuration (YAML or JSON) in force; it sets the handshake's delays too (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The configuration file.") var file: String
        @Option(help: "Track runs from this one on (EXP:RUN); without it tracking stays where it is.") var from: String?

        func run() async throws {
            let data = try GlobalOptions.read(file)
            let start = try from.map { try ExpRun(parsing: $0) }
            let configuration = try await global.withStore { store in
                try await LiveDataTaking(store: store).configure(data, fileName: file, trackFrom: start, by: .currentLocalOperator)
            }
            Output.line(
                "in force: streams \(configuration.streams.map(\.name).joined(separator: ", ")); PromptReco \(Int(configuration.prompt.delaySeconds)) s after a run's end"
                    + (start.map { "; tracking runs from \($0)" } ?? ""))
        }
    }

    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The configuration in force (the file as given), or its history.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Every configuration put in force, newest first.") var history = false

        func run() async throws {
            let rows = try await global.withStore { store in try await LiveDataTaking(store: store).history(limit: history ? 50 : 1) }
            if output.json { return try Output.json(history ? rows : Array(rows.prefix(1))) }
            guard let newest = rows.first else { throw ConveyorError.notFound("no data-taking configuration is in force (conveyor live configure FILE)") }
            if history {
                Output.table(["ID", "FILE", "AT", "BY"], rows.map { [String($0.id), $0.fileName, $0.at.short, $0.actor] })
            } else {
                Output.line("# \(newest.fileName), put in force \(newest.at.short) by \(newest.actor)")
                Output.line(newest.configuration.trimmingCharacters(in: .newlines))
            }
        }
    }

    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The JSON Schema of a data-taking configuration.")
        func run() async throws { print(LiveDataTaking.schema, terminator: "") }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A row per run stream: its stage, express, calibrations, PromptReco, and why.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "How many run streams.") var limit = 50

        func run() async throws {
            let status = try await global.withStore { store in try await LiveDataTaking(store: store).status(limit: limit) }
            if output.json { return try Output.json(status) }
            Output.line("first condition-safe run: \(status.handshake.fcsr?.description ?? "none")")
            if status.configuration == nil { Output.line("no data-taking configuration in force (conveyor live configure FILE)") }
            for line in status.handshake.switches where line.stopped { Output.line("STOPPED \(line.scope): \(line.reason) (\(line.actor), \(line.at.short))") }
            Output.table(
                ["RUN", "STREAM", "STAGE", "SINCE", "EXPRESS", "CALIBRATIONS", "PROMPTRECO", "WHY"],
                status.streams.map { s in
                    [
                        s.run.description, s.stream, s.stage.rawValue, s.stageAt.short,
                        "\(s.expressFiles) file(s)/\(s.expressChunks)" + (s.expressLatencySeconds.map { String(format: " %.1fs", $0) } ?? ""),
                        s.producers.map { "\($0.name) \($0.state)" }.joined(separator: ", "), s.promptRequest ?? "", s.reason,
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run: each stream's stage and producers, and every event of the run.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "EXP:RUN") var run: String

        func run() async throws {
            let id = try ExpRun(parsing: run)
            let detail = try await global.withStore { store in try await LiveDataTaking(store: store).run(id) }
            if output.json { return try Output.json(detail) }
            if let prompt = detail.prompt { Output.line("run \(id): handshake \(prompt.run.stage)") }
            for stream in detail.streams {
                Output.line("stream \(stream.stream): \(stream.stage) since \(stream.stageAt.short): \(stream.reason)")
                for producer in stream.producers { Output.line("  \(producer.name): \(producer.state)  \(producer.detail)") }
            }
            for event in detail.prompt?.events ?? [] { Output.line("  \(event.at.short)  handshake  \(event.stage)  \(event.reason)") }
            for event in detail.events { Output.line("  \(event.at.short)  \(event.stream)  \(event.stage)  \(event.reason)") }
        }
    }

    struct Cycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One handshake cycle and one feeder cycle now (the scheduler runs them), or at a simulated moment.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A simulated moment (ISO 8601) instead of the clock.") var at: String?

        func run() async throws {
            let moment = try at.map { try Timestamp(parsing: $0) }
            let (handshake, feeder) = try await global.withStore { store in
                try await LiveDataTaking(store: store).cycle(at: moment, actor: Actor.currentLocalOperator.name)
            }
            PromptCommand.report(handshake.plan)
            Output.line(
                "feeder: \(feeder.active) active run stream(s), \(feeder.streamsStarted) started, \(feeder.expressSubmitted) express request(s), "
                    + "\(feeder.harvested) harvested, \(feeder.uploaded) uploaded, \(feeder.promptSubmitted) PromptReco request(s), \(feeder.transitions) step(s)"
            )
            Output.line("first condition-safe run: \(handshake.plan.fcsr?.description ?? "none")")
        }
    }
}
