import ArgumentParser
import ConveyorCore
import ConveyorRequests
import ConveyorRuns
import ConveyorWorkflow
import Foundation

struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Processing requests: the one configuration a bucket's calibration and processing are made from.",
        subcommands: [
            Schema.self, Validate.self, Estimate.self, Submit.self, Resume.self, List.self, Show.self, Jobs.self, Cancel.self,
            RunJob.self, Calibrate.self, Luminosity.self,
        ]
    )

    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of a request file.")

        func run() async throws {
            FileHandle.standardOutput.write(Data(RequestSchema.document(for: ProcessingRequest.fields, title: "Conveyor processing request").utf8))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a request file (YAML or JSON); errors name the file and the key path.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request file.") var file: String
        @Flag(help: "Also check it against the database (--db): bucket or runs, pools, global tags and their states.") var installation = false

        func run() async throws {
            let request = try Requests.parse(try GlobalOptions.read(file), name: file)
            if installation {
                let problems = try await global.withStore { store in try await InstallationCheck(store: store).problems(in: request) }
                if !problems.isEmpty {
                    throw ConveyorError.invalidInput("\(file): \(problems.joined(separator: "; "))")
                }
            }
            if output.json { return try Output.json(request) }
            let scope = request.bucket.map { "bucket \($0)" } ?? "runs \(request.runs ?? "")"
            Output.line(
                "\(file): a valid \(request.campaign) request '\(request.name)' over \(scope): \(request.calibrations.count) calibration(s), "
                    + "outputs \(request.outputs.map(\.rawValue).joined(separator: ", ")), tags \(request.globalTags.joined(separator: " > "))")
        }
    }

    struct Estimate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "CPU-hours and days per step for each number of job slots, and the critical path.",
            discussion:
                "The luminosity is --lumi, else the request's bucket or run range as the run registry (--db) has it. Costs per /fb are seed 000's figures until measured jobs replace them."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request file.") var file: String
        @Option(help: "Job slot counts, comma-separated.") var slots = "400,1000,1500,2000"
        @Option(help: "The input luminosity, e.g. 6.4/fb or 800/pb (default: from the run registry).") var lumi: String?

        func run() async throws {
            let request = try Requests.parse(try GlobalOptions.read(file), name: file)
            let slotCounts = try RequestEstimate.slotCounts(parsing: slots)
            let result: Requests.Estimate
            if try global.databaseExists() {
                let given = try lumi.map { text throws(ConveyorError) in try BucketPlanner.luminosity(parsing: text) }
                result = try await global.withStore { store in try await Requests(store: store).estimate(request, slots: slotCounts, luminosity: given) }
            } else {
                guard let lumi else { throw ConveyorError.invalidInput("no database to read the luminosity from: give --lumi or --db") }
                let plan = RequestPlan(request)
                result = Requests.Estimate(
                    plan: plan, estimate: RequestEstimate(plan: plan, luminosity: try BucketPlanner.luminosity(parsing: lumi), slots: slotCounts),
                    cpuPerEvent: [:])
            }
            let (plan, estimate, cpuPerEvent, luminosity) = (result.plan, result.estimate, result.cpuPerEvent, result.estimate.luminosity)
            if output.json { return try Output.json(estimate) }
            Output.line(String(format: "%@: %.3f /fb", request.name, luminosity / 1000))
            let kinds = Dictionary(plan.steps.map { ($0.name, $0.kind.rawValue) }, uniquingKeysWith: { first, _ in first })
            Output.table(
                ["STEP", "KIND", "CPU-HOURS"] + slotCounts.map { "\($0) SLOTS" },
                estimate.lines.map { line in
                    [line.step, kinds[line.step] ?? "", String(format: "%.0f", line.cpuHours)]
                        + slotCounts.map { line.cpuHours == 0 ? "" : String(format: "%.2f d", line.days[String($0)] ?? 0) }
                } + [
                    ["total", "", String(format: "%.0f", estimate.totalCPUHours)]
                        + slotCounts.map { String(format: "%.2f d", estimate.totalCPUHours / Double($0) / 24) }
                ],
                rightAligned: Set(2..<(3 + slotCounts.count)))
            for (step, seconds) in cpuPerEvent.sorted(by: { $0.key < $1.key }) {
                Output.line(String(format: "%@: measured %.3g CPU-seconds per event in earlier jobs", step, seconds))
            }
            if !result.seedCostSteps.isEmpty {
                Output.line("seed 000's costs (no measured jobs yet): \(result.seedCostSteps.joined(separator: ", "))")
            }
            Output.line("critical path: \(estimate.criticalPath.joined(separator: " → "))")
            Output.line(
                "  " + slotCounts.map { String(format: "%.2f days on %d slots", estimate.criticalPathDays[String($0)] ?? 0, $0) }.joined(separator: ", ")
                    + " (sign-off waits not included)")
        }
    }
}
