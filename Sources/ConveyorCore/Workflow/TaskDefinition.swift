/// One task of a workflow as declared in the DAG file.
public struct TaskDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var kind: TaskKind
    /// Job tasks: one shell command per element (one element for a plain job). Each element sees
    /// `CONVEYOR_ARRAY_INDEX` (0-based) in its environment.
    public var commands: [String]
    /// Job tasks: the pool that runs it.
    public var pool: String?
    /// Higher runs first when a pool has fewer free slots than ready work.
    public var priority: Int
    public var retry: RetryPolicy
    public var trigger: TriggerRule
    public var dependsOn: [String]
    /// Sign-off tasks: who may decide.
    public var role: Role?
    /// Sign-off tasks: the users who may decide (a request's calibration `expert`); anyone with
    /// `role` when nil. A manager may still decide, recorded as an override.
    public var signers: [String]?
    public var onReject: RejectionEffect
    public var wait: WaitCondition?
    public var action: ActionStep?
    /// Job tasks: each element is stopped after this many seconds.
    public var timeLimitSeconds: Int?
    /// Job tasks whose elements carry a job description and report back: the name of the
    /// scheduler's accountant that describes each element at dispatch and accounts for its
    /// report at its end (`request` for a processing request's job steps). Each command is then
    /// the accountant's name for the element (`request job NAME ID`), not a shell command.
    public var accountant: String?
    /// Job tasks: elements held in reserve for jobs that may move here from another site; they
    /// start `skipped` and become pending only when a staging wait moves them (``ElementMove``).
    public var standby: [Int]?
    /// Staging waits (``WaitCondition/filesOnDisk(site:lfns:)``): job elements that leave for
    /// another site when their inputs are on disk there before here.
    public var moves: [ElementMove]?

    public init(
        name: String, kind: TaskKind = .job, commands: [String] = [], pool: String? = nil, priority: Int = 0, retry: RetryPolicy = RetryPolicy(),
        trigger: TriggerRule = .all_success, dependsOn: [String] = [], role: Role? = nil, onReject: RejectionEffect = .fail,
        wait: WaitCondition? = nil, action: ActionStep? = nil, timeLimitSeconds: Int? = nil, signers: [String]? = nil,
        accountant: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.commands = commands
        self.pool = pool
        self.priority = priority
        self.retry = retry
        self.trigger = trigger
        self.dependsOn = dependsOn
        self.role = role
        self.signers = signers
        self.onReject = onReject
        self.wait = wait
        self.action = action
        self.timeLimitSeconds = timeLimitSeconds
        self.accountant = accountant
    }

    /// The number of elements a job task has (1 for other kinds).
    public var elements: Int { kind == .job ? commands.count : 1 }
}
