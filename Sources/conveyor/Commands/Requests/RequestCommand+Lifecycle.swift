import ArgumentParser
import ConveyorCore
import ConveyorDataManagement
import ConveyorRequests
import Foundation

extension RequestCommand {
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a request: its jobs and whole DAG are generated and handed to the scheduler (role manager).",
            discussion: "Submitting a request that exists with the same configuration resumes it; finished work is not done again.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request file (YAML or JSON).") var file: String

        func run() async throws {
            let data = try GlobalOptions.read(file)
            let submission = try await global.withStore { store in try await Requests(store: store).submit(data, name: file, by: .currentLocalOperator) }
            try Self.report(submission, output)
        }

        static func report(_ s: Requests.Submission, _ output: OutputOptions) throws {
            if output.json { return try Output.json(s) }
            Output.line(
                "request \(s.request) \(s.resumed ? "resumed" : "submitted") as workflow \(s.workflowID): \(s.tasks) tasks, "
                    + "\(s.jobsToRun) of \(s.jobs) jobs to run")
            if s.inputsNotOnDisk > 0 {
                Output.line(
                    "\(s.inputsNotOnDisk) input file(s) are not on disk at their site: staging rules recall them (conveyor rule list --request \(s.request)), or, at a site without a disk endpoint, staging wait tasks hold their jobs until `files replica` records the copies"
                )
            }
            Output.line("a scheduler runs it: `conveyor scheduler` or `conveyor serve`; watch with `conveyor request show \(s.request)`")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Continue a request whose workflow ended: only open jobs run (role manager).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's name.") var name: String

        func run() async throws {
            let submission = try await global.withStore { store in try await Requests(store: store).resume(name, by: .currentLocalOperator) }
            try Submit.report(submission, output)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requests with their state and input files by state.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let list = try await global.withStore { store in try await Requests(store: store).list() }
            if output.json { return try Output.json(list) }
            Output.table(
                ["NAME", "CAMPAIGN", "STATE", "WORKFLOW", "PROCESSED", "OPEN", "PROBLEMATIC", "INVALIDATED", "SUBMITTED"],
                list.map { s in
                    [
                        s.record.name, s.record.campaign, s.state.rawValue, s.record.workflowID.map(String.init) ?? "", String(s.inputs["processed"] ?? 0),
                        String((s.inputs["unused"] ?? 0) + (s.inputs["assigned"] ?? 0)), String(s.inputs["problematic"] ?? 0),
                        String(s.inputs["invalidated"] ?? 0),
                        "\(s.record.submittedAt.short) by \(s.record.submittedBy)",
                    ]
                }, rightAligned: [3, 4, 5, 6, 7])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A request's steps with their progress, calibrations, sign-offs waiting, payloads and outputs.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's name.") var name: String

        func run() async throws {
            let (d, rules) = try await global.withStore { store in
                (try await Requests(store: store).show(name), try await DataManagement(store: store).rules(request: name))
            }
            if output.json { return try Output.json(d) }
            let s = d.summary
            Output.line(
                "request \(s.record.name): \(s.record.campaign), \(d.request.bucket.map { "bucket \($0)" } ?? "runs \(d.request.runs ?? "")"), "
                    + "\(s.state.rawValue)\(s.record.workflowID.map { " (workflow \($0))" } ?? "")")
            Output.table(
                ["STEP", "KIND", "STATE", "JOBS DONE", "INPUTS"],
                d.steps.map { step in
                    [
                        step.name, step.kind, step.state, step.kind != "job" ? "" : "\(step.elementsDone)/\(step.elements)",
                        step.inputs.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "),
                    ]
                })
            if !d.calibrations.isEmpty {
                Output.line("\ncalibrations:")
                Output.table(
                    ["CALIBRATION", "RUNS", "ITERATION", "OUTCOME", "DETAIL"],
                    d.calibrations.map {
                        [$0.calibration, "\($0.exp):\($0.firstRun)-\($0.lastRun)", String($0.iteration), $0.outcome.rawValue, $0.detail]
                    })
            }
            if !d.pendingSignoffs.isEmpty {
                Output.line("\nwaiting for sign-off:")
                for task in d.pendingSignoffs {
                    Output.line(
                        "  \(task.name) (role \(task.definition.role?.rawValue ?? "manager")): conveyor task signoff \(task.workflowID)/\(task.name) --approve --comment …"
                    )
                }
            }
            if !d.payloads.isEmpty {
                Output.line("\npayloads in \(d.request.stagingTag ?? "staging"):")
                Output.table(["PAYLOAD", "REV", "IOV"], d.payloads.map { [$0.name, String($0.revision), $0.iov.description] })
            }
            if !d.outputs.isEmpty {
                Output.line("\noutputs:")
                Output.table(
                    ["STEP", "LEVEL", "SKIM", "FILES", "EVENTS", "LUMI /pb"],
                    d.outputs.map {
                        [
                            $0.step, $0.level.rawValue, $0.dataTag ?? "all", String($0.files), String($0.events),
                            $0.luminosity.map { String(format: "%.3f", $0) } ?? "",
                        ]
                    }, rightAligned: [3, 4, 5])
                if let l = s.record.luminosity { Output.line(String(format: "runs of the request: %.3f /pb", l.runs)) }
            }
            if !d.problems.isEmpty {
                Output.line("\ninputs taken out:")
                for input in d.problems { Output.line("  \(input.state.rawValue) \(input.lfn) (\(input.step)): \(input.reason)") }
            }
            if !d.inputsNotOnDisk.isEmpty {
                Output.line("\n\(d.inputsNotOnDisk.count) input file(s) not yet on disk at their site:")
                for lfn in d.inputsNotOnDisk.prefix(20) { Output.line("  \(lfn)") }
            }
            let waits = d.waitedOnData
            if waits.totalSeconds > 0 || waits.waiting {
                Output.line(
                    "\nwaited on data management\(waits.waiting ? " (so far)" : ""): "
                        + String(format: "staging %.1f s, output rules %.1f s", waits.stagingSeconds, waits.outputsSeconds))
            }
            if !rules.isEmpty {
                Output.line("\nreplication rules:")
                for rule in rules {
                    let why = rule.state == .OK ? "" : rule.error.map { ": \($0)" } ?? ": \(rule.locksReplicating) copies on their way"
                    Output.line(
                        "  rule \(rule.id) \(rule.state.rawValue) \(rule.activity) \(rule.target) on \(rule.expression) (\(rule.locksOK) ok, \(rule.locksReplicating) replicating, \(rule.locksStuck) stuck)\(why)"
                    )
                }
            }
        }
    }

    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A request's jobs: inputs, output, state, events and CPU.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request's name.") var name: String
        @Option(help: "Only this step (e.g. mdst-all-events).") var step: String?

        func run() async throws {
            let jobs = try await global.withStore { store in try await Requests(store: store).jobs(of: name, step: step) }
            if output.json { return try Output.json(jobs) }
            Output.table(
                ["ID", "STEP", "RUN", "INPUTS", "OUTPUT", "EVENTS", "CPU s", "SEED", "FAILURES"],
                jobs.map { job in
                    [
                        String(job.id), job.step, job.run.description, String(job.inputs.count), job.outputLFN ?? "", job.events.map(String.init) ?? "",
                        job.cpuSeconds.map { String(format: "%.2f", $0) } ?? "", job.seed.map(String.init) ?? "",
                        job.failures == 0 ? "" : "\(job.failures): \(job.reason)",
                    ]
                }, rightAligned: [0, 3, 5, 6])
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a request and its running jobs (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request's name.") var name: String
        @Option(help: "Why.") var reason = ""

        func run() async throws {
            try await global.withStore { store in try await Requests(store: store).cancel(name, reason: reason, by: .currentLocalOperator) }
            Output.line("request \(name) cancelled; `conveyor request resume \(name)` continues it later")
        }
    }
}
