import ConveyorCore

/// One call to a batch system: jobs that share a name (the submission's UUID), as one array
/// where the system has arrays.
public struct BatchSubmission: Sendable {
    public struct Job: Sendable {
        /// Position in the submission: the array index the batch system sees.
        public let arrayIndex: Int
        public let command: String
        /// Set in the job's environment as well as CONVEYOR_ARRAY_INDEX (the element of its task).
        public let environment: [String: String]
        /// Files to copy into the job's sandbox where the pool transfers files (absolute paths);
        /// the element's folder's own files (`job.sh`, `job.json`, conditions) are sent as well.
        public let transferIn: [String]

        public init(arrayIndex: Int, command: String, environment: [String: String], transferIn: [String] = []) {
            self.arrayIndex = arrayIndex
            self.command = command
            self.environment = environment
            self.transferIn = transferIn
        }
    }

    public let uuid: String
    /// A folder for this submission: each job's stdout and stderr go into `directory/ARRAY_INDEX/`.
    public let directory: String
    public let jobs: [Job]
    public let timeLimitSeconds: Int?

    public init(uuid: String, directory: String, jobs: [Job], timeLimitSeconds: Int?) {
        self.uuid = uuid
        self.directory = directory
        self.jobs = jobs
        self.timeLimitSeconds = timeLimitSeconds
    }
}

/// A submission the scheduler follows, as its executor needs to find it again.
public struct TrackedSubmission: Sendable, Hashable {
    public let uuid: String
    public let externalID: String
    public let directory: String
    /// Array indices not final yet.
    public let arrayIndices: [Int]

    public init(uuid: String, externalID: String, directory: String, arrayIndices: [Int]) {
        self.uuid = uuid
        self.externalID = externalID
        self.directory = directory
        self.arrayIndices = arrayIndices
    }
}

/// What a batch system says about one job.
public struct BatchJobStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case queued
        case running
        case succeeded
        case failed
        case cancelled
    }

    public let uuid: String
    public let arrayIndex: Int
    public var state: State
    public var exitCode: Int?
    /// The batch system's word for what happened: TIMEOUT, OUT_OF_MEMORY, a HoldReason, "exit code 3"…
    public var reason: String?
    public var wallSeconds: Double?
    public var cpuSeconds: Double?
    public var maxRSSKilobytes: Int?

    public init(
        uuid: String, arrayIndex: Int, state: State, exitCode: Int? = nil, reason: String? = nil, wallSeconds: Double? = nil,
        cpuSeconds: Double? = nil, maxRSSKilobytes: Int? = nil
    ) {
        self.uuid = uuid
        self.arrayIndex = arrayIndex
        self.state = state
        self.exitCode = exitCode
        self.reason = reason
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.maxRSSKilobytes = maxRSSKilobytes
    }

    public var isFinal: Bool { state == .succeeded || state == .failed || state == .cancelled }
}

/// The one interface every batch system is driven through. Implementations keep no state that
/// matters across restarts: the submission UUID (the batch job name) is enough to find a job again.
public protocol BatchExecutor: Sendable {
    var kind: ExecutorKind { get }

    /// Sends a submission. - Returns: the batch system's id for it (Slurm's job id, HTCondor's cluster).
    func submit(_ submission: BatchSubmission) async throws(ConveyorError) -> String

    /// Looks a submission up by its UUID after a restart. - Returns: its id, or nil when the
    /// batch system never received it (so it may be sent now without running twice).
    func find(uuid: String, directory: String) async throws(ConveyorError) -> String?

    /// Reports on the given submissions' jobs with a number of batch-system calls that does not
    /// grow with the number of jobs. Jobs still queued may be left out.
    func poll(_ submissions: [TrackedSubmission]) async throws(ConveyorError) -> [BatchJobStatus]

    /// Stops jobs of a submission.
    func cancel(_ submission: TrackedSubmission) async throws(ConveyorError)
}
