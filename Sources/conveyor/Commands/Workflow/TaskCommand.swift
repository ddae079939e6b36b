import ArgumentParser
import ConveyorCore
import ConveyorWorkflow
import Foundation

struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "One task of a workflow run (TASK is its id, or WORKFLOW/NAME): sign off, resume, retry, cancel, log.",
        subcommands: [SignOff.self, Resume.self, Retry.self, Cancel.self, Succeed.self, Log.self]
    )

    struct SignOff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "signoff", abstract: "Approve or reject a sign-off task (the role the task names).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task: id or WORKFLOW/NAME.") var task: String
        @Flag(help: "Approve.") var approve = false
        @Flag(help: "Reject (needs --comment).") var reject = false
        @Option(help: "What you checked, or why you reject.") var comment = ""

        func run() async throws {
            guard approve != reject else { throw ConveyorError.invalidInput("give exactly one of --approve and --reject") }
            let reference = try TaskReference(parsing: task)
            try await global.withStore { store in
                try await Workflows(store: store).signOff(reference, approve: approve, comment: comment, by: .currentLocalOperator)
            }
            Output.line("\(approve ? "approval" : "rejection") of \(task) queued for the scheduler")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused task: its failed elements run again (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task: id or WORKFLOW/NAME.") var task: String
        @Option(help: "A note for the event log.") var comment = ""
        func run() async throws { try await TaskCommand.control(global, task, .resume, comment) }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retry a paused or failed task from a fresh count, reopening what gave up after it (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task: id or WORKFLOW/NAME.") var task: String
        @Option(help: "A note for the event log.") var comment = ""
        func run() async throws { try await TaskCommand.control(global, task, .retry, comment) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a task and stop its running jobs (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task: id or WORKFLOW/NAME.") var task: String
        @Option(help: "Why.") var comment = ""
        func run() async throws { try await TaskCommand.control(global, task, .cancelTask, comment) }
    }

    struct Succeed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a paused or failed task succeeded after doing its work by hand, e.g. uploading a failed calibration's payload (role expert).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task: id or WORKFLOW/NAME.") var task: String
        @Option(help: "What was done by hand (required).") var comment = ""
        func run() async throws { try await TaskCommand.control(global, task, .markSucceeded, comment) }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A task's attempts with each job's stdout and stderr.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The task: id or WORKFLOW/NAME.") var task: String
        @Option(help: "Only this element of an array.") var element: Int?

        func run() async throws {
            let reference = try TaskReference(parsing: task)
            let log = try await global.withStore { store in try await Workflows(store: store).log(of: reference) }
            let entries = log.entries.filter { element == nil || $0.attempt.element == element }
            if output.json { return try Output.json(entries) }
            if log.task.definition.kind != .job {
                // Steps that run inside Conveyor (actions: calibrations, tag changes): their events say what they did.
                let events = try await global.withStore { store in try await Workflows(store: store).events(log.task.workflowID) }
                for event in events where event.taskID == log.task.id {
                    Output.line("\(event.at) \(event.kind)\(event.to.map { " → \($0)" } ?? ""): \(event.detail)")
                }
                return
            }
            if entries.isEmpty { Output.line("\(log.task.name) has run no job yet") }
            for entry in entries {
                let a = entry.attempt
                let figures = [
                    a.exitCode.map { "exit \($0)" }, a.wallSeconds.map { String(format: "%.2f s wall", $0) },
                    a.cpuSeconds.map { String(format: "%.2f s CPU", $0) }, a.maxRSSKilobytes.map { "\($0) kB peak" }, a.reason,
                ].compactMap { $0 }
                Output.line(
                    "== element \(a.element), try \(a.attempt), \(a.state.rawValue)\(figures.isEmpty ? "" : " (\(figures.joined(separator: ", ")))") — \(a.submission)"
                )
                if !entry.stdout.isEmpty { Output.line("-- stdout\n\(entry.stdout.hasSuffix("\n") ? String(entry.stdout.dropLast()) : entry.stdout)") }
                if !entry.stderr.isEmpty { Output.line("-- stderr\n\(entry.stderr.hasSuffix("\n") ? String(entry.stderr.dropLast()) : entry.stderr)") }
            }
        }
    }

    static func control(_ global: GlobalOptions, _ task: String, _ kind: WorkflowCommandKind, _ comment: String) async throws {
        let reference = try TaskReference(parsing: task)
        try await global.withStore { store in try await Workflows(store: store).control(reference, kind, comment: comment, by: .currentLocalOperator) }
        Output.line("\(kind.rawValue.replacingOccurrences(of: "_", with: " ")) of \(task) queued for the scheduler")
    }
}
