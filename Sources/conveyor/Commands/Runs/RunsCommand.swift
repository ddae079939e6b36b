import ArgumentParser
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "The run registry: register and import runs, list them with totals, flag quality, show history.",
        subcommands: [Add.self, Import.self, List.self, Show.self, Flag.self, Tag.self, History.self, Count.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register or update one run (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run, EXP:RUN.") var run: String
        @Option(help: "physics, cosmic, beam or debug.") var type = "physics"
        @Option(help: "Beam energy label (4S, Continuum, Scan, …).") var energy = "4S"
        @Option(help: "Magnet on or off.") var magnet = "on"
        @Option(help: "Start time (ISO 8601).") var start: String?
        @Option(help: "Stop time (ISO 8601).") var stop: String?
        @Option(help: "Number of events.") var events: Int64 = 0
        @Option(help: "Online luminosity in /pb.") var onlineLumi: Double = 0
        @Option(help: "Offline luminosity in /pb.") var offlineLumi: Double?
        @Option(help: "taking, ended or closed.") var state = "ended"

        func run() async throws {
            var record = RunRecord(run: try GlobalOptions.run(run))
            record.type = try RunType(parsing: type)
            record.energy = energy
            record.magnet = try RunRecord.magnet(parsing: magnet)
            record.start = try GlobalOptions.timestamp(start)
            record.stop = try GlobalOptions.timestamp(stop)
            record.events = events
            record.onlineLuminosity = onlineLumi
            record.offlineLuminosity = offlineLumi
            record.state = try RunState(parsing: state)
            let report = try await global.withStore { store in try await RunRegistry(store: store).add(record, by: .currentLocalOperator) }
            Output.line(
                report.added == 1
                    ? "registered \(record.run)"
                    : report.changed == 1 ? "updated \(record.run): \(report.changes.map(\.field).joined(separator: ", "))" : "\(record.run) unchanged")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a CSV or JSON run summary, all or nothing (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The file (CSV with a header, or a JSON array).") var file: String

        func run() async throws {
            let data = try GlobalOptions.read(file)
            let report = try await global.withStore { store in
                try await RunRegistry(store: store).importSummary(data, name: (file as NSString).lastPathComponent, by: .currentLocalOperator)
            }
            if output.json { return try Output.json(report) }
            for change in report.changes { Output.line("\(change.run) \(change.field): \(change.oldValue ?? "-") -> \(change.newValue ?? "-")") }
            Output.line("\(report.added) added, \(report.changed) changed, \(report.unchanged) unchanged")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs with totals (runs, events, luminosity).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var filters: RunFilterOptions

        func run() async throws {
            let query = try filters.query()
            let listing = try await global.withStore { store in try await RunRegistry(store: store).list(query) }
            if output.json { return try Output.json(listing) }
            Output.table(
                ["RUN", "TYPE", "ENERGY", "MAGNET", "START", "MIN", "EVENTS", "LUMI /pb", "QUALITY", "STATE"],
                listing.runs.map { r in
                    let record = r.record
                    return [
                        record.run.description, record.type.rawValue, record.energy, record.magnet ? "on" : "off", record.start?.short ?? "",
                        record.durationSeconds.map { String($0 / 60) } ?? "", String(record.events), String(format: "%.3f", record.luminosity),
                        r.quality.rawValue, record.state.rawValue,
                    ]
                },
                rightAligned: [5, 6, 7]
            )
            let t = listing.totals
            Output.line(
                "total: \(t.runs) runs, \(t.events) events, \(String(format: "%.3f", t.luminosityPerPicobarn)) /pb (\(String(format: "%.4f", t.luminosityPerFemtobarn)) /fb)"
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run: values, quality now (or --as-of), tags.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run, EXP:RUN.") var run: String
        @OptionGroup var asOf: AsOfOption

        func run() async throws {
            let target = try GlobalOptions.run(run)
            let moment = try asOf.timestamp
            let detail = try await global.withStore { store in try await RunRegistry(store: store).detail(of: target, asOf: moment) }
            if output.json { return try Output.json(detail) }
            let r = detail.run
            Output.line("\(r.run): \(r.type) \(r.energy), magnet \(r.magnet ? "on" : "off"), \(r.state)")
            Output.line(
                "events \(r.events), luminosity \(String(format: "%.3f", r.luminosity)) /pb (online \(r.onlineLuminosity)\(r.offlineLuminosity.map { ", offline \($0)" } ?? ""))"
            )
            Output.line(
                "quality \(detail.quality.summary)"
                    + (detail.quality.detectors.isEmpty
                        ? "" : "; " + detail.quality.detectors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
            let tags = detail.derivedTags + detail.quality.tags.sorted()
            if !tags.isEmpty { Output.line("tags: \(tags.joined(separator: ", "))") }
        }
    }

    struct Flag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a run's summary or detector quality flag, with a reason (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run, EXP:RUN.") var run: String
        @Option(help: "The detector (PXD, SVD, CDC, TOP, ARICH, ECL, KLM, TRG); the summary flag when left out.") var detector: String?
        @Option(name: .customLong("set"), help: "GOOD, BAD, RECOVERABLE or UNKNOWN.") var flag: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            let target = try GlobalOptions.run(run)
            let value = try QualityFlag(parsing: flag)
            try await global.withStore { store in
                try await RunRegistry(store: store).flag(target, detector: detector, to: value, reason: reason, by: .currentLocalOperator)
            }
            Output.line("\(target) \(detector?.uppercased() ?? "summary") is now \(value)")
        }
    }

    struct Tag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or remove a free quality tag such as 'Bad For Alignment' (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run, EXP:RUN.") var run: String
        @Option(help: "Add this tag.") var add: String?
        @Option(help: "Remove this tag.") var remove: String?
        @Option(help: "Why.") var reason: String

        func run() async throws {
            guard (add == nil) != (remove == nil) else { throw ConveyorError.invalidInput("give exactly one of --add TAG or --remove TAG") }
            let target = try GlobalOptions.run(run)
            try await global.withStore { store in
                try await RunRegistry(store: store).tag(target, add ?? remove!, add: add != nil, reason: reason, by: .currentLocalOperator)
            }
            Output.line(add != nil ? "\(target) tagged '\(add!)'" : "\(target) untagged '\(remove!)'")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every quality change and value change of a run: who, when, old → new, why.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run, EXP:RUN.") var run: String

        func run() async throws {
            let target = try GlobalOptions.run(run)
            let detail = try await global.withStore { store in try await RunRegistry(store: store).detail(of: target) }
            if output.json { return try Output.json(detail) }
            var rows = detail.qualityEvents.map { e -> (Timestamp, [String]) in
                let what: String
                switch e.kind {
                case .flag: what = "\(e.detector ?? "summary") \(e.old ?? "-") -> \(e.new)"
                case .tagAdded: what = "tag + \(e.new)"
                case .tagRemoved: what = "tag - \(e.new)"
                }
                return (e.at, [e.at.short, e.actor, what, e.reason])
            }
            rows += detail.valueChanges.map { c in (c.at, [c.at.short, c.actor, "\(c.field) \(c.oldValue ?? "-") -> \(c.newValue ?? "-")", "import"]) }
            Output.table(["WHEN (UTC)", "WHO", "CHANGE", "WHY"], rows.sorted { $0.0 < $1.0 }.map(\.1))
        }
    }
}

/// The run filters shared by `runs list` (and later `files list` and `search`).
struct RunFilterOptions: ParsableArguments {
    @Option(help: "Experiment.") var exp: Int?
    @Option(help: "Run range FIRST-LAST (inclusive).") var runs: String?
    @Option(help: "physics, cosmic, beam or debug.") var type: String?
    @Option(help: "Beam energy label.") var energy: String?
    @Option(help: "on or off.") var magnet: String?
    @Option(help: "Minimum duration in minutes.") var minDuration: Int64?
    @Option(help: "Minimum luminosity in /pb.") var minLumi: Double?
    @Option(help: "Summary quality: GOOD, BAD, RECOVERABLE, UNKNOWN.") var quality: String?

    func query() throws(ConveyorError) -> RunQuery {
        try RunQuery(
            exp: exp, runs: runs, type: type, energy: energy, magnet: magnet,
            minimumDurationMinutes: minDuration, minimumLuminosity: minLumi, quality: quality)
    }
}
