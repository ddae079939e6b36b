/// A stored processing request: its configuration as submitted and its current workflow run.
public struct RequestRecord: Codable, Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let campaign: String
    /// The configuration file's text, as submitted (YAML or JSON).
    public let configuration: String
    public let fileName: String
    /// The workflow run doing the work; a resumed request gets a new one.
    public let workflowID: Int64?
    public let cancelled: Bool
    /// What the luminosity step measured, once it ran.
    public let luminosity: RequestLuminosity?
    public let submittedAt: Timestamp
    public let submittedBy: String

    public init(
        id: Int64, name: String, campaign: String, configuration: String, fileName: String, workflowID: Int64?, cancelled: Bool,
        luminosity: RequestLuminosity?, submittedAt: Timestamp, submittedBy: String
    ) {
        self.id = id
        self.name = name
        self.campaign = campaign
        self.configuration = configuration
        self.fileName = fileName
        self.workflowID = workflowID
        self.cancelled = cancelled
        self.luminosity = luminosity
        self.submittedAt = submittedAt
        self.submittedBy = submittedBy
    }
}

/// The luminosity behind a request's outputs, per output level and skim.
public struct RequestLuminosity: Codable, Sendable, Equatable {
    public struct Group: Codable, Sendable, Equatable {
        public let level: DataLevel
        /// The HLT or physics skim; nil for all events.
        public let dataTag: String?
        public let files: Int
        public let events: Int64
        /// /pb, from the raw files behind the group's outputs.
        public let luminosity: Double

        public init(level: DataLevel, dataTag: String?, files: Int, events: Int64, luminosity: Double) {
            self.level = level
            self.dataTag = dataTag
            self.files = files
            self.events = events
            self.luminosity = luminosity
        }
    }
    /// /pb of the request's runs in the run registry.
    public let runs: Double
    public let groups: [Group]
    public let measuredAt: Timestamp

    public init(runs: Double, groups: [Group], measuredAt: Timestamp) {
        self.runs = runs
        self.groups = groups
        self.measuredAt = measuredAt
    }
}

/// One job of a request: its step, the run it belongs to, and the output it makes.
public struct RequestJob: Codable, Sendable, Equatable {
    public var id: Int64
    public var requestID: Int64
    /// The plan step (`mdst-all-events`, …).
    public var step: String
    /// The workflow task that runs it (the step, or `step@site`).
    public var task: String
    public var site: String
    public var run: ExpRun
    public var level: DataLevel
    public var dataTag: String?
    /// Nil for jobs whose result is not a catalog file (quality reports, luminosity).
    public var outputLFN: String?
    public var failures: Int
    public var reason: String
    /// Events written, as the program reported them.
    public var events: Int64?
    public var cpuSeconds: Double?
    /// `key=value` lines the program reported (quality figures, …).
    public var report: String?
    public var updatedAt: Timestamp
    /// The input files' LFNs, in order.
    public var inputs: [String]
    /// MC: the random seed the job generates with, so that a rerun reproduces its events.
    public var seed: Int64?
    /// MC: the events the job is asked to generate.
    public var plannedEvents: Int64?

    public init(
        id: Int64 = 0, requestID: Int64 = 0, step: String, task: String, site: String, run: ExpRun, level: DataLevel, dataTag: String?,
        outputLFN: String?, failures: Int = 0, reason: String = "", events: Int64? = nil, cpuSeconds: Double? = nil, report: String? = nil,
        updatedAt: Timestamp = Timestamp(microsecondsSinceEpoch: 0), inputs: [String], seed: Int64? = nil, plannedEvents: Int64? = nil
    ) {
        self.id = id
        self.requestID = requestID
        self.step = step
        self.task = task
        self.site = site
        self.run = run
        self.level = level
        self.dataTag = dataTag
        self.outputLFN = outputLFN
        self.failures = failures
        self.reason = reason
        self.events = events
        self.cpuSeconds = cpuSeconds
        self.report = report
        self.updatedAt = updatedAt
        self.inputs = inputs
        self.seed = seed
        self.plannedEvents = plannedEvents
    }
}

/// One input file of one job, with its state in the request.
public struct RequestInput: Codable, Sendable, Equatable {
    public let jobID: Int64
    public let step: String
    public let lfn: String
    public let state: InputFileState
    public let reason: String
    public let updatedAt: Timestamp

    public init(jobID: Int64, step: String, lfn: String, state: InputFileState, reason: String, updatedAt: Timestamp) {
        self.jobID = jobID
        self.step = step
        self.lfn = lfn
        self.state = state
        self.reason = reason
        self.updatedAt = updatedAt
    }
}

/// What a calibration's algorithm said for one run range in one iteration.
public struct CalibrationAttempt: Codable, Sendable, Equatable {
    public let calibration: String
    public let exp: Int
    public let firstRun: Int
    public let lastRun: Int
    public let iteration: Int
    public let outcome: CalibrationOutcome
    public let detail: String
    public let at: Timestamp

    public init(calibration: String, exp: Int, firstRun: Int, lastRun: Int, iteration: Int, outcome: CalibrationOutcome, detail: String, at: Timestamp) {
        self.calibration = calibration
        self.exp = exp
        self.firstRun = firstRun
        self.lastRun = lastRun
        self.iteration = iteration
        self.outcome = outcome
        self.detail = detail
        self.at = at
    }
}

extension RequestLuminosity {
    /// The account in lines: the runs', then each output group's.
    public var lines: [String] {
        [String(format: "runs: %.3f /pb", runs)]
            + groups.map {
                String(format: "%@ %@: %d files, %lld events, %.3f /pb", $0.level.rawValue, $0.dataTag ?? "all", $0.files, $0.events, $0.luminosity)
            }
    }
}
