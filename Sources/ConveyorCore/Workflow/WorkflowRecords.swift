/// A workflow run's own state.
public enum WorkflowState: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "workflow state"
    public static let isUppercase = false
    case running
    case succeeded
    case failed
    case cancelled
}

/// A workflow run as stored: its definition and where it stands.
public struct WorkflowRun: Codable, Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let state: WorkflowState
    public let createdAt: Timestamp
    public let createdBy: String
    public let finishedAt: Timestamp?
    /// How many tasks are in each state.
    public let taskCounts: [String: Int]

    public init(id: Int64, name: String, state: WorkflowState, createdAt: Timestamp, createdBy: String, finishedAt: Timestamp?, taskCounts: [String: Int]) {
        self.id = id
        self.name = name
        self.state = state
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.finishedAt = finishedAt
        self.taskCounts = taskCounts
    }
}

/// A task's current-state row (the event log holds how it got there).
public struct WorkflowTask: Codable, Sendable, Equatable {
    public let id: Int64
    public let workflowID: Int64
    public var definition: TaskDefinition
    public var state: TaskState
    /// Failed tries so far (a job array's round counts once).
    public var tries: Int
    /// When a cooling-off task may run again.
    public var retryAt: Timestamp?
    public var upstream: [Int64]
    public var decidedBy: String?
    public var decisionComment: String?
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// Job tasks: how many elements are in each state (succeeded, failed, running…).
    public var elementCounts: [String: Int]

    public init(
        id: Int64, workflowID: Int64, definition: TaskDefinition, state: TaskState, tries: Int, retryAt: Timestamp? = nil, upstream: [Int64] = [],
        decidedBy: String? = nil, decisionComment: String? = nil, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil,
        elementCounts: [String: Int] = [:]
    ) {
        self.id = id
        self.workflowID = workflowID
        self.definition = definition
        self.state = state
        self.tries = tries
        self.retryAt = retryAt
        self.upstream = upstream
        self.decidedBy = decidedBy
        self.decisionComment = decisionComment
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.elementCounts = elementCounts
    }

    public var name: String { definition.name }

    /// Job tasks: done and to run, e.g. `3/5`, with the elements that moved to another site or
    /// are held in reserve for jobs that may move here (``ElementMove``) after a `+`: `0/0 +2 held`.
    public var elementProgress: String {
        let held = elementCounts[TaskState.skipped.rawValue] ?? 0
        return "\(elementCounts[TaskState.succeeded.rawValue] ?? 0)/\(definition.elements - held)" + (held > 0 ? " +\(held) held" : "")
    }
}

/// One line of a workflow's append-only event log.
public struct WorkflowEvent: Codable, Sendable, Equatable {
    public let workflowID: Int64
    public let taskID: Int64?
    public let at: Timestamp
    public let actor: String
    /// submitted, state, attempt, signoff, command, cancelled…
    public let kind: String
    public let from: String?
    public let to: String?
    public let detail: String

    public init(workflowID: Int64, taskID: Int64?, at: Timestamp, actor: String, kind: String, from: String? = nil, to: String? = nil, detail: String = "") {
        self.workflowID = workflowID
        self.taskID = taskID
        self.at = at
        self.actor = actor
        self.kind = kind
        self.from = from
        self.to = to
        self.detail = detail
    }
}

/// What a person asks the scheduler to do; queued, then applied by the scheduler in order.
public enum WorkflowCommandKind: String, CaseIterable, Codable, Sendable {
    case approve
    case reject
    /// A paused task tries again (its failed elements), keeping its count of tries.
    case resume
    /// A paused or failed task tries again from a fresh count.
    case retry
    case cancelTask = "cancel_task"
    /// A paused or failed task is taken as done by a person who did its work by hand (an expert
    /// who uploaded a calibration's payload themselves); what waited for it runs.
    case markSucceeded = "mark_succeeded"
    case cancelWorkflow = "cancel_workflow"
}

public struct WorkflowCommand: Codable, Sendable, Equatable {
    public let id: Int64
    public let workflowID: Int64
    public let taskID: Int64?
    public let kind: WorkflowCommandKind
    public let actor: String
    public let comment: String
    public let createdAt: Timestamp
    public let appliedAt: Timestamp?
    public let result: String?

    public init(
        id: Int64, workflowID: Int64, taskID: Int64?, kind: WorkflowCommandKind, actor: String, comment: String, createdAt: Timestamp,
        appliedAt: Timestamp? = nil, result: String? = nil
    ) {
        self.id = id
        self.workflowID = workflowID
        self.taskID = taskID
        self.kind = kind
        self.actor = actor
        self.comment = comment
        self.createdAt = createdAt
        self.appliedAt = appliedAt
        self.result = result
    }
}

/// One try of one element of a job task, in one submission to a batch system.
public struct JobAttempt: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Written before the batch system is called.
        case submitting
        case submitted
        case running
        case succeeded
        case failed
        case cancelled
    }

    public let submission: String
    public let arrayIndex: Int
    public let taskID: Int64
    public let element: Int
    public let attempt: Int
    public var state: State
    public var exitCode: Int?
    public var reason: String?
    public var wallSeconds: Double?
    public var cpuSeconds: Double?
    public var maxRSSKilobytes: Int?
    public var submittedAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// The folder holding the element's stdout and stderr.
    public var directory: String

    public init(
        submission: String, arrayIndex: Int, taskID: Int64, element: Int, attempt: Int, state: State, exitCode: Int? = nil, reason: String? = nil,
        wallSeconds: Double? = nil, cpuSeconds: Double? = nil, maxRSSKilobytes: Int? = nil, submittedAt: Timestamp, startedAt: Timestamp? = nil,
        finishedAt: Timestamp? = nil, directory: String
    ) {
        self.submission = submission
        self.arrayIndex = arrayIndex
        self.taskID = taskID
        self.element = element
        self.attempt = attempt
        self.state = state
        self.exitCode = exitCode
        self.reason = reason
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.maxRSSKilobytes = maxRSSKilobytes
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.directory = directory
    }
}
