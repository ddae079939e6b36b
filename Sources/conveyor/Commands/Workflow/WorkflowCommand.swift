import ArgumentParser
import ConveyorCore
import ConveyorWorkflow
import Foundation

struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wf",
        abstract: "Workflow runs: submit a DAG (YAML or JSON), list, show, events, cancel.",
        subcommands: [Submit.self, List.self, Show.self, Events.self, Cancel.self]
    )

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a DAG file and submit it (role manager). The scheduler runs it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The DAG file (YAML or JSON).") var file: String

        func run() async throws {
            let data = try GlobalOptions.read(file)
            let id = try await global.withStore { store in
                try await Workflows(store: store).submit(data, name: file, by: .currentLocalOperator)
            }
            Output.line("submitted workflow \(id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workflow runs, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only runs in this state: running, succeeded, failed, cancelled.") var state: String?

        func run() async throws {
            let filter = try state.map { text throws(ConveyorError) in try WorkflowState(parsing: text) }
            let runs = try await global.withStore { store in try await Workflows(store: store).list(state: filter) }
            if output.json { return try Output.json(runs) }
            Output.table(
                ["ID", "NAME", "STATE", "TASKS", "CREATED", "BY"],
                runs.map { run in
                    [String(run.id), run.name, run.state.rawValue, WorkflowCommand.counts(run.taskCounts), run.createdAt.short, run.createdBy]
                }, rightAligned: [0])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a workflow run's tasks and their states.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The workflow run's id.") var id: Int64

        func run() async throws {
            let detail = try await global.withStore { store in try await Workflows(store: store).show(id) }
            if output.json { return try Output.json(detail) }
            Output.line(
                "workflow \(detail.workflow.id) \(detail.workflow.name): \(detail.workflow.state) (submitted \(detail.workflow.createdAt.short) by \(detail.workflow.createdBy))"
            )
            Output.table(
                ["TASK", "ID", "KIND", "STATE", "TRIES", "ELEMENTS", "NOTE"],
                detail.tasks.map { task in
                    let elements = task.definition.kind == .job ? task.elementProgress : ""
                    let note =
                        task.decidedBy.map { "by \($0): \(task.decisionComment ?? "")" }
                        ?? (task.state == .awaiting_signoff
                            ? "needs role \(task.definition.role?.rawValue ?? "manager")"
                            : task.state == .cooloff ? task.retryAt.map { "next try at \($0.short)" } ?? "" : "")
                    return [task.name, String(task.id), task.definition.kind.rawValue, task.state.rawValue, String(task.tries), elements, note]
                }, rightAligned: [1, 4, 5])
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The append-only event log of a workflow run.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The workflow run's id.") var id: Int64

        func run() async throws {
            let (events, tasks) = try await global.withStore { store in
                let workflows = Workflows(store: store)
                return (try await workflows.events(id), try await workflows.show(id).tasks)
            }
            if output.json { return try Output.json(events) }
            let names = Dictionary(tasks.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            for e in events {
                let change = e.from.map { "\($0) -> \(e.to ?? "")" } ?? e.to ?? ""
                Output.line("\(e.at.iso8601)  \(e.taskID.flatMap { names[$0] } ?? "(workflow)")  \(e.kind) \(change)  \(e.detail)  [\(e.actor)]")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel every unfinished task of a workflow run (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow run's id.") var id: Int64
        @Option(help: "Why.") var reason = ""

        func run() async throws {
            try await global.withStore { store in try await Workflows(store: store).cancel(id, reason: reason, by: .currentLocalOperator) }
            Output.line("cancellation of workflow \(id) queued for the scheduler")
        }
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }
}
