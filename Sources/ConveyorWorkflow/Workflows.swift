import ConveyorCore
import ConveyorStore
import Foundation

/// The workflow engine's front door for people and programs: submit DAGs, read their state and
/// events, sign off, and ask the scheduler to resume, retry or cancel.
///
/// Submitting, cancelling and managing pools needs `manager`; a sign-off needs the role its task
/// names. Requests to the scheduler are queued and applied by it in order.
///
/// ```swift
/// let workflows = Workflows(store: store)
/// let id = try await workflows.submit(try Data(contentsOf: url), name: "calibration.yaml", by: manager)
/// try await workflows.signOff(TaskReference(workflow: id, name: "cdc-signoff"), approve: true, comment: "residuals fine", by: expert)
/// ```
public struct Workflows: Sendable {
    public let store: Store
    /// Called after a command is queued or a workflow submitted, so that a scheduler in this
    /// process reads it at once (``Scheduler/noteCommand()``).
    public let onCommand: @Sendable () -> Void

    public init(store: Store, onCommand: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.onCommand = onCommand
    }

    // MARK: Submitting

    /// Reads, checks and stores a DAG file (YAML or JSON). - Returns: the workflow run's id.
    public func submit(_ data: Data, name: String, by actor: Actor) async throws(ConveyorError) -> Int64 {
        try actor.require(.manager, to: "submitting workflows")
        return try await submit(try WorkflowDefinition(configuration: try ConfigurationFile.read(data, name: name)), file: name, by: actor)
    }

    /// Checks a definition against this installation (pools, programs, actions) and stores it.
    public func submit(_ definition: WorkflowDefinition, file: String = "workflow", by actor: Actor) async throws(ConveyorError) -> Int64 {
        try actor.require(.manager, to: "submitting workflows")
        try await check(definition, file: file)
        let id = try await store.write { session in
            let now = Timestamp.now
            let id = try await session.insertWorkflow(definition, at: now, by: actor.name)
            try await session.appendWorkflowEvents([
                WorkflowEvent(
                    workflowID: id, taskID: nil, at: now, actor: actor.name, kind: "workflow", to: "running",
                    detail: "submitted \(definition.tasks.count) tasks from \(file)")
            ])
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "workflows.submit", subjectKind: "workflow", subject: String(id),
                    detail: "\(definition.name): \(definition.tasks.count) tasks"))
            return id
        }
        onCommand()
        return id
    }

    /// Holds a definition against this installation: its shape, pools, programs and action steps.
    public func check(_ definition: WorkflowDefinition, file: String = "workflow") async throws(ConveyorError) {
        try definition.validate(file: file)
        let pools = Set(try await store.read { try await $0.pools() }.map(\.name))
        for (i, task) in definition.tasks.enumerated() {
            switch task.kind {
            case .job:
                let pool = task.pool ?? WorkflowDefinition.defaultPool
                guard pools.contains(pool) else {
                    throw .invalidInput(
                        "\(file): tasks[\(i)].pool: unknown pool '\(pool)' (known: \(pools.sorted().joined(separator: ", ").ifEmpty("none; add one with conveyor pool add")))"
                    )
                }
                // An accounted task's commands name elements for its accountant, not programs.
                for (j, command) in Set(task.commands).sorted().enumerated() where task.accountant == nil {
                    if let missing = CommandCheck.missingProgram(in: command) {
                        throw .invalidInput(
                            "\(file): tasks[\(i)].command\(task.commands.count > 1 ? "s[\(j)]" : ""): program '\(missing)' does not exist on this machine")
                    }
                }
            case .action:
                try ActionSteps.validate(task.action!, task: task.name)
            case .signoff, .wait:
                break
            }
        }
    }

    // MARK: Reading

    public func list(state: WorkflowState? = nil, limit: Int = 200) async throws(ConveyorError) -> [WorkflowRun] {
        try await store.read { try await $0.workflows(state: state, limit: limit) }
    }

    /// A workflow run with its tasks.
    public struct Detail: Sendable, Codable {
        public let workflow: WorkflowRun
        public let tasks: [WorkflowTask]
    }

    public func show(_ id: Int64) async throws(ConveyorError) -> Detail {
        try await store.read { session in
            guard let workflow = try await session.workflow(id) else { throw ConveyorError.notFound("no workflow \(id)") }
            return Detail(workflow: workflow, tasks: try await session.tasks(ofWorkflows: [id]))
        }
    }

    public func events(_ id: Int64) async throws(ConveyorError) -> [WorkflowEvent] {
        try await store.read { session in
            guard try await session.workflow(id) != nil else { throw ConveyorError.notFound("no workflow \(id)") }
            return try await session.workflowEvents(id)
        }
    }

    /// Attempts of the workflow's job tasks, for Gantt charts.
    public func attempts(_ id: Int64) async throws(ConveyorError) -> [JobAttempt] {
        try await store.read { session in try await session.attempts(ofTasks: try await session.tasks(ofWorkflows: [id]).map(\.id)) }
    }

    /// Finds a task by id (`42`) or by workflow and name (`7/cdc-signoff`).
    public func task(_ reference: TaskReference) async throws(ConveyorError) -> WorkflowTask {
        try await store.read { session in
            switch reference {
            case .id(let id):
                guard let workflow = try await session.workflowID(ofTask: id),
                    let task = try await session.tasks(ofWorkflows: [workflow], id: id).first
                else {
                    throw ConveyorError.notFound("no task \(id)")
                }
                return task
            case .named(let workflow, let name):
                guard let task = try await session.tasks(ofWorkflows: [workflow], name: name).first else {
                    throw ConveyorError.notFound("workflow \(workflow) has no task '\(name)'")
                }
                return task
            }
        }
    }

    /// A task's attempts with the stdout and stderr of each (the last `limit` bytes).
    public struct TaskLog: Sendable, Codable {
        public struct Entry: Sendable, Codable {
            public let attempt: JobAttempt
            public let stdout: String
            public let stderr: String
        }
        public let task: WorkflowTask
        public let entries: [Entry]
    }

    public func log(of reference: TaskReference, limit: Int = 64 * 1024) async throws(ConveyorError) -> TaskLog {
        let task = try await task(reference)
        let attempts = try await store.read { try await $0.attempts(ofTask: task.id) }
        func tail(_ path: String) -> String {
            guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
            defer { try? handle.close() }
            let size = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toOffset: size > UInt64(limit) ? size - UInt64(limit) : 0)
            return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        }
        return TaskLog(
            task: task, entries: attempts.map { TaskLog.Entry(attempt: $0, stdout: tail($0.directory + "/stdout"), stderr: tail($0.directory + "/stderr")) })
    }

    // MARK: Asking the scheduler

    /// Approves or rejects a sign-off task; needs the role the task names.
    public func signOff(_ reference: TaskReference, approve: Bool, comment: String, by actor: Actor) async throws(ConveyorError) {
        let task = try await task(reference)
        guard task.definition.kind == .signoff else { throw .invalidInput("task \(task.name) is a \(task.definition.kind) task, not a sign-off") }
        let role = task.definition.role ?? .manager
        try actor.require(role, to: "signing off \(task.name)")
        guard task.state == .awaiting_signoff else { throw .conflict("task \(task.name) is \(task.state), not awaiting sign-off") }
        var comment = comment.trimmingCharacters(in: .whitespaces)
        if !approve, comment.isEmpty { throw .invalidInput("say why: a rejection needs --comment") }
        var override = false
        if let signers = task.definition.signers, !actor.isAmong(signers) {
            let named = signers.joined(separator: ", ")
            // A manager may decide in an expert's place (on holiday, unreachable); it is recorded as such.
            guard actor.role >= .manager else {
                throw .forbidden(
                    "\(task.name) is signed off by \(named) (as its request says), not by \(actor.name); a manager may override")
            }
            override = true
            comment = "override by manager \(actor.name) in place of \(named)" + (comment.isEmpty ? "" : ": \(comment)")
        }
        try await enqueue(task, approve ? .approve : .reject, comment: comment, by: actor, override: override)
    }

    /// Resumes a paused task, retries a paused or failed one, or cancels a task: needs `manager`.
    /// Marks a paused or failed task succeeded: needs `expert` (who did its work by hand) and a comment.
    public func control(_ reference: TaskReference, _ kind: WorkflowCommandKind, comment: String = "", by actor: Actor) async throws(ConveyorError) {
        try actor.require(kind == .markSucceeded ? .expert : .manager, to: "\(kind == .markSucceeded ? "marking tasks succeeded" : "\(kind.rawValue) tasks")")
        let task = try await task(reference)
        switch kind {
        case .markSucceeded:
            guard [.paused, .failed, .upstream_failed].contains(task.state) else {
                throw .conflict("task \(task.name) is \(task.state); only paused or failed tasks are marked succeeded")
            }
            if comment.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .invalidInput("say what was done by hand: marking a task succeeded needs --comment")
            }
        case .resume: guard task.state == .paused else { throw .conflict("task \(task.name) is \(task.state); only paused tasks resume") }
        case .retry:
            guard [.paused, .failed, .upstream_failed].contains(task.state) else {
                throw .conflict("task \(task.name) is \(task.state); only paused or failed tasks are retried")
            }
        case .cancelTask: guard !task.state.isFinal else { throw .conflict("task \(task.name) is already \(task.state)") }
        default: throw .invalidInput("\(kind.rawValue) is not a task command")
        }
        try await enqueue(task, kind, comment: comment, by: actor)
    }

    /// Cancels every unfinished task of a workflow run. Needs `manager`.
    public func cancel(_ id: Int64, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "cancelling workflows")
        try await store.write { session in
            guard let workflow = try await session.workflow(id) else { throw ConveyorError.notFound("no workflow \(id)") }
            guard workflow.state == .running else { throw ConveyorError.conflict("workflow \(id) is already \(workflow.state)") }
            let now = Timestamp.now
            try await session.enqueueCommand(workflow: id, task: nil, kind: .cancelWorkflow, actor: actor.name, comment: reason, at: now)
            try await session.appendAudit(
                AuditRecord(at: now, actor: actor, action: "workflows.cancel", subjectKind: "workflow", subject: String(id), detail: reason))
        }
        onCommand()
    }

    private func enqueue(
        _ task: WorkflowTask, _ kind: WorkflowCommandKind, comment: String, by actor: Actor, override: Bool = false
    ) async throws(ConveyorError) {
        try await store.write { session in
            let now = Timestamp.now
            try await session.enqueueCommand(workflow: task.workflowID, task: task.id, kind: kind, actor: actor.name, comment: comment, at: now)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "tasks.\(kind.rawValue)\(override ? ".override" : "")", subjectKind: "task",
                    subject: "\(task.workflowID)/\(task.name)", detail: comment))
        }
        onCommand()
    }

    // MARK: Pools

    /// Adds or changes a pool. Needs `manager`.
    public func savePool(_ pool: Pool, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "managing pools")
        try await store.write { session in
            let now = Timestamp.now
            try await session.savePool(pool, at: now)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "pools.save", subjectKind: "pool", subject: pool.name,
                    detail: "\(pool.executor), \(pool.slots) slots"))
        }
    }

    public func pools() async throws(ConveyorError) -> [Pool] {
        try await store.read { try await $0.pools() }
    }
}

/// How people name a task: its id, or its workflow and name (`7/cdc-signoff`).
public enum TaskReference: Sendable, Equatable {
    case id(Int64)
    case named(workflow: Int64, name: String)

    public init(parsing text: String) throws(ConveyorError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let id = Int64(trimmed), id > 0 { self = .id(id); return }
        let parts = trimmed.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let workflow = Int64(parts[0]), !parts[1].isEmpty else {
            throw .invalidInput("'\(text)' is not a task (expected a task id, or WORKFLOW/TASK-NAME such as 7/cdc-signoff)")
        }
        self = .named(workflow: workflow, name: String(parts[1]))
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
