import ArgumentParser
import ConveyorCore
import ConveyorRuns

struct BucketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucket",
        abstract: "Buckets: plan by luminosity, create (frozen), list, show with warnings.",
        subcommands: [Plan.self, Create.self, List.self, Show.self]
    )

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Group consecutive good physics runs until the luminosity target or the time limit.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Experiment.") var exp: Int
        @Option(help: "Luminosity per bucket, e.g. 2/fb or 500/pb.") var targetLumi: String
        @Option(help: "Close a bucket after this many days.") var maxDays: Double?
        @Option(help: "Start at this run (EXP:RUN).") var from: String?

        func run() async throws {
            let target = try BucketPlanner.luminosity(parsing: targetLumi)
            let start = try GlobalOptions.runOrNil(from)
            let plan = try await global.withStore { store in
                try await RunRegistry(store: store).planBuckets(exp: exp, targetLuminosity: target, maximumDays: maxDays, from: start)
            }
            if output.json { return try Output.json(plan) }
            Output.table(
                ["#", "RUNS", "GOOD RUNS", "LUMI /fb", "FROM", "TO", ""],
                plan.enumerated().map { i, b in
                    [
                        String(i + 1), "\(b.exp):\(b.firstRun)-\(b.lastRun)", String(b.runs.count), String(format: "%.3f", b.luminosity / 1000),
                        b.start?.short ?? "", b.stop?.short ?? "", b.complete ? "" : "below target",
                    ]
                }, rightAligned: [0, 2, 3])
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Freeze the good physics runs of a range as a bucket (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The bucket's name.") var name: String
        @Option(help: "Experiment.") var exp: Int
        @Option(help: "Run range FIRST-LAST.") var runs: String

        func run() async throws {
            guard
                let range = try RunQuery(
                    exp: exp, runs: runs, type: nil, energy: nil, magnet: nil, minimumDurationMinutes: nil, minimumLuminosity: nil, quality: nil
                ).runRange
            else {
                throw ConveyorError.invalidInput("give the run range FIRST-LAST")
            }
            let bucket = try await global.withStore { store in
                try await RunRegistry(store: store).createBucket(named: name, exp: exp, runs: range, by: .currentLocalOperator)
            }
            Output.line("created \(bucket.name): \(bucket.members.count) runs, \(String(format: "%.3f", bucket.luminosity)) /pb")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List buckets.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        struct Listing: Encodable { let buckets: [RunRegistry.BucketReport] }

        func run() async throws {
            let reports = try await global.withStore { store in try await RunRegistry(store: store).buckets() }
            if output.json { return try Output.json(Listing(buckets: reports)) }
            Output.table(
                ["NAME", "RUNS", "GOOD RUNS", "LUMI /pb", "CREATED", "WARNINGS"],
                reports.map { r in
                    let b = r.bucket
                    return [
                        b.name, "\(b.exp):\(b.firstRun)-\(b.lastRun)", String(b.members.count), String(format: "%.3f", b.luminosity), b.createdAt.short,
                        String(r.warnings.count),
                    ]
                }, rightAligned: [2, 3, 5])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a bucket and what changed since it was frozen.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The bucket.") var name: String

        func run() async throws {
            let report = try await global.withStore { store in try await RunRegistry(store: store).bucket(named: name) }
            if output.json { return try Output.json(report) }
            let b = report.bucket
            Output.line(
                "\(b.name): experiment \(b.exp), runs \(b.firstRun)-\(b.lastRun), \(b.members.count) good runs, \(String(format: "%.3f", b.luminosity)) /pb")
            Output.line("created \(b.createdAt.short) by \(b.createdBy)")
            Output.line("runs: \(b.members.map { String($0.run) }.joined(separator: " "))")
            for warning in report.warnings { Output.line("warning: \(warning)") }
        }
    }
}
