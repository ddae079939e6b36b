import ConveyorCore
import ConveyorExecutors

/// The central side of jobs that carry what they need and report back (CMS WMAgent's job
/// creator and JobAccountant, DIRAC's job wrapper and its services). A job task names its
/// accountant (`TaskDefinition.accountant`); the scheduler then asks it to *describe* each
/// element when it dispatches it — a ``JobDescription`` written into the element's folder — and
/// to *account* for the elements that ended, reading their ``JobReport``s. The job itself opens
/// no database.
///
/// ```swift
/// let scheduler = Scheduler(store: store, executors: executors,
///                           configuration: .init(jobRoot: root, plugins: .init(accountants: ["request": RequestJobAccountant(store: store)])))
/// ```
public protocol JobAccountant: Sendable {
    /// Writes the element's description (and its conditions) into `dispatch.folder`.
    /// - Returns: what the batch system runs, and the files it must transfer in.
    func describe(_ element: String, _ dispatch: JobDispatch) async throws(ConveyorError) -> DescribedJob

    /// Accounts for ended elements, all in one transaction. - Returns: one verdict per element, in order.
    func account(_ ended: [EndedJob]) async throws(ConveyorError) -> [JobVerdict]
}

/// Where and how an element is dispatched.
public struct JobDispatch: Sendable {
    /// The element's own folder (the submission's folder / array index).
    public let folder: String
    public let pool: Pool
    /// The job runner to ship or call (`conveyor-job`), as the pool or the scheduler names it.
    public let runner: String
    /// The element's try, counting from 1.
    public let attempt: Int

    /// Whether the batch system transfers files in and out (no shared file system): the pool's
    /// `file_transfer: yes`.
    public var transfersFiles: Bool { pool.transfersFiles }

    public init(folder: String, pool: Pool, runner: String, attempt: Int) {
        self.folder = folder
        self.pool = pool
        self.runner = runner
        self.attempt = attempt
    }
}

/// What the batch system is given for a described element.
public struct DescribedJob: Sendable {
    /// The command, run in the element's folder (or its sandbox when files are transferred).
    public var command: String
    /// Files the batch system copies into the sandbox (absolute paths), with file transfer.
    public var transferIn: [String]

    public init(command: String, transferIn: [String] = []) {
        self.command = command
        self.transferIn = transferIn
    }
}

/// An element whose job ended, as the batch system reported it.
public struct EndedJob: Sendable {
    public let element: String
    public let folder: String
    public let pool: Pool
    public let status: BatchJobStatus

    public init(element: String, folder: String, pool: Pool, status: BatchJobStatus) {
        self.element = element
        self.folder = folder
        self.pool = pool
        self.status = status
    }
}

/// The accountant's word on an ended element.
public struct JobVerdict: Sendable, Equatable {
    /// Whether the element succeeded (also when its inputs were given up as problematic: the
    /// element ends without failing its task).
    public var succeeded: Bool
    /// A line for the task's events: what was registered, or why the job failed.
    public var detail: String

    public init(succeeded: Bool, detail: String) {
        self.succeeded = succeeded
        self.detail = detail
    }
}

/// What capabilities above the workflow engine plug into the scheduler.
public struct SchedulerPlugins: Sendable {
    /// Accountants by the name job tasks give in `accountant`.
    public var accountants: [String: any JobAccountant]
    /// Action steps run by capabilities (`request.calibrate`, …), by name.
    public var actions: [String: any ActionStepRunner]

    /// Work that runs beside the scheduler under its lease (the data-management engine).
    public var background: [any SchedulerBackgroundWork]

    public init(accountants: [String: any JobAccountant] = [:], actions: [String: any ActionStepRunner] = [:], background: [any SchedulerBackgroundWork] = []) {
        self.accountants = accountants
        self.actions = actions
        self.background = background
    }
}

/// A loop a capability runs beside the scheduler, writing under the same lease, so that a
/// scheduler that lost its lease stops it too (a standby's copy never runs twice).
public protocol SchedulerBackgroundWork: Sendable {
    /// What the logs call it.
    var name: String { get }
    /// One round. - Returns: whether it did anything (when not, the next round waits longer).
    func cycle() async throws(ConveyorError) -> Bool
}

/// An action step that a capability runs inside the scheduler.
public protocol ActionStepRunner: Sendable {
    func run(_ step: ActionStep, as actor: Actor) async throws(ConveyorError) -> String
}
