import ArgumentParser
import ConveyorCore
import ConveyorDataTaking
import ConveyorRuns
import Foundation

struct DAQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daq",
        abstract: "Runs and raw files as the data acquisition sends them: run start, files, run end, or a watched inbox folder.",
        subcommands: [Start.self, End.self, Files.self, Watch.self]
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a run's start (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN") var run: String
        @Option(help: "When it started (ISO 8601); now if not given.") var at: String?
        @Option(help: "physics, cosmic, beam or debug.") var type = "physics"
        @Option(help: "Beam energy label.") var energy = "4S"

        func run() async throws {
            let id = try ExpRun(parsing: run)
            let moment = try at.map { try Timestamp(parsing: $0) } ?? .now
            let kind = try RunType(parsing: type)
            _ = try await global.withStore { store in
                try await RunArrival(store: store).start(id, at: moment, type: kind, energy: energy, by: .currentLocalOperator)
            }
            Output.line("run \(id) started at \(moment.short)")
        }
    }

    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a run's end (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "EXP:RUN") var run: String
        @Option(help: "When it ended (ISO 8601); now if not given.") var at: String?
        @Option(help: "Events taken.") var events: Int64?
        @Option(help: "Online luminosity, /pb.") var lumi: Double?

        func run() async throws {
            let id = try ExpRun(parsing: run)
            let moment = try at.map { try Timestamp(parsing: $0) } ?? .now
            _ = try await global.withStore { store in
                try await RunArrival(store: store).end(id, at: moment, events: events, onlineLuminosity: lumi, by: .currentLocalOperator)
            }
            Output.line("run \(id) ended at \(moment.short)")
        }
    }

    struct Files: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register raw files of started runs from a JSON list, all or nothing (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A JSON list of catalog files (as `files register` reads them), or - for stdin.") var file: String

        func run() async throws {
            let files = try FileCatalog.decode(try GlobalOptions.read(file), name: file)
            let result = try await global.withStore { store in try await RunArrival(store: store).files(files, by: .currentLocalOperator) }
            Output.line("\(result.registered) registered, \(result.alreadyPresent) already present")
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take the records a DAQ drops into a folder (start, end, files; *.json, renamed into place), moving each to done/ or rejected/.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The inbox folder.") var folder: String
        @Flag(help: "Take what is there now, then stop.") var once = false
        @Option(help: "Seconds between looks.") var interval: Double = 1

        func run() async throws {
            try await global.withStore { store in
                let inbox = RunInbox(folder: folder, arrival: RunArrival(store: store))
                while true {
                    for outcome in try await inbox.drain(by: .currentLocalOperator) {
                        Output.line(outcome.refusal.map { "rejected \(outcome.name): \($0)" } ?? "took \(outcome.name)")
                    }
                    // A watcher's log is read while it runs (often from a file): each look is written out at once.
                    fflush(nil)
                    if once { break }
                    try await Task.sleep(for: .milliseconds(Int(max(interval, 0.05) * 1000)))
                }
            }
        }
    }
}
