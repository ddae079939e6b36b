import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import Foundation
import Logging
import Synchronization

/// The workflow engine's scheduler: the one process that moves tasks between states.
///
/// Each ``tick()`` loads new workflow runs, applies queued commands (sign-offs, resume, cancel),
/// collects what the executors report, decides what may run (trigger rules, cool-offs, wait
/// conditions, action steps), and submits ready job elements within each pool's slots. All the
/// changes of a tick are written in one transaction, together with their events; submissions
/// are written *before* the batch system is called, under a UUID that is the batch job's name,
/// so that after a crash a restarted scheduler finds them by name instead of submitting twice.
///
/// ```swift
/// let scheduler = Scheduler(store: store, executors: executors, configuration: .init(jobRoot: "/data/conveyor-jobs"))
/// try await scheduler.run(untilIdle: true)
/// ```
public actor Scheduler {
    public struct Configuration: Sendable {
        /// Where job folders go unless a pool names its own `directory`.
        public var jobRoot: String
        /// How often batch systems are polled when nothing wakes the scheduler sooner.
        public var pollInterval: Duration
        /// How often a wait task's condition is checked.
        public var waitCheckInterval: Duration
        /// Delay before a failed batch-system call is tried again (doubles up to 5 minutes).
        public var submitBackoff: Duration
        /// A job not reported by its batch system for this long is taken as lost and failed.
        public var lostAfter: Duration
        /// Accountants of job tasks and capabilities' action steps.
        public var plugins: SchedulerPlugins
        /// The job runner described jobs call or ship (a pool's `job_runner` option overrides it).
        public var jobRunner: String

        public init(
            jobRoot: String, pollInterval: Duration = .seconds(1), waitCheckInterval: Duration = .seconds(5),
            submitBackoff: Duration = .seconds(2), lostAfter: Duration = .seconds(600), plugins: SchedulerPlugins = SchedulerPlugins(),
            jobRunner: String = Configuration.defaultJobRunner
        ) {
            self.jobRoot = jobRoot
            self.pollInterval = pollInterval
            self.waitCheckInterval = waitCheckInterval
            self.submitBackoff = submitBackoff
            self.lostAfter = lostAfter
            self.plugins = plugins
            self.jobRunner = jobRunner
        }

        /// `conveyor-job` beside the running program (SwiftPM builds both into one folder).
        public static var defaultJobRunner: String {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            return ((executable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("conveyor-job")
        }
    }

    /// A submission the scheduler follows until all its attempts are final.
    struct Flight {
        var record: SubmissionRecord
        let taskID: Int64
        var attempts: [Int: JobAttempt]
        /// Whether it may have reached the batch system already (then look it up before sending).
        var maybeSent: Bool
        var nextSend: ContinuousClock.Instant
        var sendFailures: Int
        var lastSeen: ContinuousClock.Instant
    }

    /// What one tick did.
    public struct Activity: Sendable {
        public var runningWorkflows = 0
        public var submittedElements = 0
        public var finishedElements = 0
        public var transitions = 0
        /// Running workflows can only go on when a person acts: every open task waits for a
        /// sign-off, is paused, or is pending behind those; no job, wait or cool-off is under way.
        public var waitsForPeople = false
        /// No workflow is running.
        public var isIdle: Bool { runningWorkflows == 0 }
    }

    /// When ``run(until:)`` returns.
    public enum Stop: Sendable {
        /// Only when cancelled.
        case never
        /// When no workflow is running.
        case idle
        /// When no workflow is running or every running one waits for a person.
        case blocked
    }

    let store: Store
    let executors: ExecutorSet
    let configuration: Configuration
    let logger: Logger
    public nonisolated let wakeup: Wakeup
    private nonisolated let commandQueued = Mutex(false)

    /// Tells the scheduler that a command was queued or a workflow submitted in this process:
    /// the next tick reads them at once.
    public nonisolated func noteCommand() {
        commandQueued.withLock { $0 = true }
        wakeup.signal()
    }
    let actions: ActionSteps
    let actor = "scheduler"
    /// The lease this scheduler runs under, when a service holds one.
    var fence: LeaseFence?

    /// Drops everything mirrored from the store (after the lease was lost: a later holder may change it all).
    public func forget() { reset() }

    // The running workflows, mirrored from the store.
    var tasks: [Int64: WorkflowTask] = [:]
    var downstream: [Int64: [Int64]] = [:]
    var elements: [Int64: [TaskState]] = [:]
    var workflowTasks: [Int64: [Int64]] = [:]
    /// Tasks not yet final, per workflow: a workflow ends when this reaches zero.
    var openTasks: [Int64: Int] = [:]
    /// When new workflows, pools and queued commands were last read (other processes write them).
    var lastExternalRead: ContinuousClock.Instant?
    var lastWorkflowID: Int64 = 0
    var flights: [String: Flight] = [:]
    /// Pools whose last poll failed, since when: their jobs do not age meanwhile.
    var pollFailingSince: [String: ContinuousClock.Instant] = [:]
    var pools: [String: Pool] = [:]
    var loaded = false

    // Work for the evaluation step.
    var dirty: Set<Int64> = []
    var queue = ReadyQueue()
    var coolingOff: Set<Int64> = []
    var nextWaitCheck: [Int64: ContinuousClock.Instant] = [:]

    // Changes of the current tick, written together.
    var changedTasks: [Int64: WorkflowTask] = [:]
    var changedElements: [Int64: [Int: TaskState]] = [:]
    var changedAttempts: [JobAttempt] = []
    var newSubmissions: [(SubmissionRecord, [JobAttempt])] = []
    var finishedSubmissions: [String] = []
    var events: [WorkflowEvent] = []
    var finishedWorkflows: [(Int64, WorkflowState)] = []
    var appliedCommands: [(Int64, String)] = []
    var submittedMarks: [(String, String)] = []
    /// Ended elements of accounted tasks, waiting for their accountant in this tick.
    var endedForAccounting: [(status: BatchJobStatus, accountant: String, ended: EndedJob)] = []
    var touchedWorkflows: Set<Int64> = []
    var activity = Activity()

    public init(
        store: Store, executors: ExecutorSet, configuration: Configuration, wakeup: Wakeup = Wakeup(),
        logger: Logger = Logger(label: "conveyor.scheduler")
    ) {
        self.store = store
        self.executors = executors
        self.configuration = configuration
        self.wakeup = wakeup
        self.logger = logger
        self.actions = ActionSteps(store: store, extensions: configuration.plugins.actions)
    }

    /// Runs ticks until cancelled, or until no workflow is running when `untilIdle`.
    public func run(untilIdle: Bool = false) async throws {
        try await run(until: untilIdle ? .idle : .never)
    }

    /// Runs ticks until cancelled or until `stop` holds. Under a `fence` (the lease as
    /// ``SchedulerService`` holds it), every batch-system call first confirms the lease, and a
    /// lost lease ends the run with its error instead of a reload.
    public func run(until stop: Stop, fence: LeaseFence? = nil) async throws {
        self.fence = fence
        defer { self.fence = nil }
        while !Task.isCancelled {
            let done: Activity
            do {
                done = try await tick()
            } catch let error where fence?.isLost == true || SchedulerLease.isLost(error) {
                reset()
                throw error
            } catch {
                // The store refused a write: start again from what it holds.
                logger.error("scheduler tick failed, reloading from the store: \((error as? ConveyorError)?.message ?? "\(error)")")
                reset()
                try await Task.sleep(for: .seconds(1))
                continue
            }
            switch stop {
            case .never: break
            case .idle: if done.isIdle { return }
            case .blocked: if done.isIdle || done.waitsForPeople { return }
            }
            await wakeup.wait(timeout: nextWake())
        }
    }

    /// One pass of the scheduler; see the type's documentation.
    @discardableResult
    public func tick() async throws -> Activity {
        activity = Activity()
        let now = Timestamp.now
        let clock = ContinuousClock()
        var phases: [(String, Duration)] = []
        var mark = clock.now
        func lap(_ name: String) {
            let t = clock.now
            phases.append((name, t - mark))
            mark = t
        }
        if !loaded { try await loadOpenSubmissions() }
        // What other processes write (new workflows, pools, people's commands) is read at most
        // every 200 ms, or at once when this process queued a command: a tick per job ending stays cheap.
        let instant = ContinuousClock.now
        if lastExternalRead.map({ instant - $0 >= .milliseconds(200) }) ?? true || commandQueued.withLock({ $0 }) {
            commandQueued.withLock { $0 = false }
            lastExternalRead = instant
            try await loadNewWorkflows()
            pools = Dictionary(try await store.read { try await $0.pools() }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            try await applyCommands(now)
        }
        lap("load")
        try await sendPending()
        try await pollExecutors(now)
        try await accountEnded(now)
        lap("poll")
        try await evaluate(now)
        let batches = try planSubmissions(now)
        finishWorkflows(now)
        lap("decide")
        try await flush()
        lap("write")
        for uuid in batches { try await send(uuid) }
        lap("send")
        activity.runningWorkflows = workflowTasks.count
        activity.waitsForPeople =
            !workflowTasks.isEmpty && flights.isEmpty && queue.isEmpty && coolingOff.isEmpty && nextWaitCheck.isEmpty && dirty.isEmpty
            && tasks.values.allSatisfy { $0.state.isFinal || $0.state == .awaiting_signoff || $0.state == .paused || $0.state == .pending }
        if logger.logLevel <= .debug {
            logger.debug(
                "tick: \(phases.map { "\($0.0) \($0.1.components.attoseconds / 1_000_000_000_000 + $0.1.components.seconds * 1_000_000) µs" }.joined(separator: ", "))"
            )
        }
        return activity
    }

    /// The next moment something is due: a cool-off ending, a wait check, a batch poll.
    func nextWake() -> Duration {
        let now = ContinuousClock.now
        var wake = now + configuration.pollInterval
        if let last = lastExternalRead, last + .milliseconds(200) < wake, !workflowTasks.isEmpty { wake = last + .milliseconds(200) }
        for instant in nextWaitCheck.values where instant < wake { wake = instant }
        let wall = Timestamp.now.microsecondsSinceEpoch
        for id in coolingOff {
            if let at = tasks[id]?.retryAt {
                let due = now + .microseconds(max(0, at.microsecondsSinceEpoch - wall))
                if due < wake { wake = due }
            }
        }
        for flight in flights.values where flight.record.state == .submitting && flight.nextSend < wake { wake = flight.nextSend }
        return max(.zero, wake - now)
    }

    // MARK: Recording changes

    func setState(_ id: Int64, to state: TaskState, detail: String = "", by who: String? = nil, at now: Timestamp) {
        guard var task = tasks[id], task.state != state else { return }
        let old = task.state
        if old.isFinal != state.isFinal { openTasks[task.workflowID, default: 0] += state.isFinal ? -1 : 1 }
        task.state = state
        if state == .submitted || (state == .running && task.startedAt == nil) || state == .awaiting_signoff { task.startedAt = task.startedAt ?? now }
        if state.isFinal { task.finishedAt = now }
        save(task)
        touchedWorkflows.insert(task.workflowID)
        events.append(
            WorkflowEvent(
                workflowID: task.workflowID, taskID: id, at: now, actor: who ?? actor, kind: "state", from: old.rawValue, to: state.rawValue, detail: detail))
        activity.transitions += 1
        if state.isFinal {
            queue.remove(id)
            coolingOff.remove(id)
            nextWaitCheck[id] = nil
            for next in downstream[id] ?? [] { dirty.insert(next) }
        }
    }

    /// Keeps a task's new values for this tick's write.
    func save(_ task: WorkflowTask) {
        tasks[task.id] = task
        changedTasks[task.id] = task
    }

    func setElements(_ id: Int64, _ indices: [Int], to state: TaskState) {
        guard !indices.isEmpty else { return }
        for i in indices {
            elements[id]?[i] = state
            changedElements[id, default: [:]][i] = state
        }
    }

    /// Writes the tick's changes in one transaction.
    func flush() async throws {
        let taskRows = Array(changedTasks.values)
        var elementGroups: [(Int64, [Int], TaskState)] = []
        for (task, changes) in changedElements {
            var byState: [TaskState: [Int]] = [:]
            for (index, state) in changes { byState[state, default: []].append(index) }
            for (state, indices) in byState { elementGroups.append((task, indices.sorted(), state)) }
        }
        let groups = elementGroups
        let attempts = changedAttempts, submissions = newSubmissions, finished = finishedSubmissions
        let events = self.events, workflows = finishedWorkflows, commands = appliedCommands, marks = submittedMarks
        changedTasks = [:]
        changedElements = [:]
        changedAttempts = []
        newSubmissions = []
        finishedSubmissions = []
        self.events = []
        finishedWorkflows = []
        appliedCommands = []
        submittedMarks = []
        guard
            !marks.isEmpty || !taskRows.isEmpty || !groups.isEmpty || !attempts.isEmpty || !submissions.isEmpty || !finished.isEmpty || !events.isEmpty
                || !workflows.isEmpty || !commands.isEmpty
        else { return }
        let now = Timestamp.now
        // New submissions are sent right after this commit: their record must outlive a power cut
        // first. Local jobs die with this machine, so a lost record of theirs loses nothing.
        try await store.write(durable: submissions.contains { $0.0.executor != .local }) { session in
            for (uuid, external) in marks { try await session.markSubmitted(uuid, externalID: external) }
            for (record, attempts) in submissions { try await session.insertSubmission(record, attempts: attempts, at: now) }
            for attempt in attempts { try await session.updateAttempt(attempt) }
            for uuid in finished { try await session.setSubmissionState(uuid, to: .finished) }
            for task in taskRows { try await session.updateTask(task) }
            for (task, indices, state) in groups { try await session.setElements(of: task, indices, to: state) }
            for (id, state) in workflows { try await session.setWorkflowState(id, to: state, at: now) }
            for (id, result) in commands { try await session.markApplied(id, result: result, at: now) }
            try await session.appendWorkflowEvents(events)
        }
    }
}
