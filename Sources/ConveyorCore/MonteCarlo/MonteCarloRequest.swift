/// A request for an MC sample, filed by a physics group's liaison (seed 001: "Requests for MC
/// samples can be made to the DP liaison in your physics working group"): an event type (a
/// generator configuration the experiment's program understands), how many events, the
/// background level, a priority, and either one run-independent sample in the campaign's
/// geometry or a run-dependent one over a range of data runs.
///
/// ```swift
/// let request = try MonteCarloRequest(campaign: "MC12", group: "SL", liaison: "mario", eventType: "1264340000",
///                                     events: 50_000_000, background: .bgx1, priority: .major)
/// ```
public struct MonteCarloRequest: Codable, Sendable, Equatable {
    /// Beam background overlaid on the simulated events (seed 001: BGx0 and BGx1 samples).
    public enum Background: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "background level"
        public static let isUppercase = false
        /// None.
        case bgx0
        /// Nominal: one random-trigger event overlaid on each simulated event.
        case bgx1
    }

    /// Seed 001's scale: 0 trivial … 4 blocker.
    public enum Priority: Int, Codable, Sendable, CaseIterable, Comparable {
        case trivial = 0, minor, major, critical, blocker

        public init(parsing text: String) throws(ConveyorError) {
            if let n = Int(text) {
                guard let value = Priority(rawValue: n) else { throw .invalidInput("a priority is 0 (trivial) to 4 (blocker), not \(n)") }
                self = value
                return
            }
            guard let value = Priority.allCases.first(where: { $0.name == text.lowercased() }) else {
                throw .invalidInput("a priority is 0 (trivial) to 4 (blocker), not '\(text.prefix(40))'")
            }
            self = value
        }

        public var name: String {
            switch self {
            case .trivial: "trivial"
            case .minor: "minor"
            case .major: "major"
            case .critical: "critical"
            case .blocker: "blocker"
            }
        }

        public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }

        /// The workflow priority of its jobs: below every step of data processing (0 and up), so
        /// that MC fills the slots data leaves free, and in the order of the MC priorities.
        public var taskPriority: Int { rawValue - 5 }
    }

    public var id: Int64
    public var campaign: String
    /// The physics working group (SL, charm, TDCPV, …).
    public var group: String
    /// Who filed it for the group.
    public var liaison: String
    public var eventType: String
    public var events: Int64
    public var background: Background
    public var priority: Priority
    /// `EXP:FIRST-LAST` for run-dependent MC; nil for one run-independent sample.
    public var runs: String?
    /// Events per job (the run-dependent split makes no job larger).
    public var eventsPerJob: Int
    public var comment: String
    public var state: MonteCarloRequestState
    /// The production: the processing request that makes its events, once submitted (`mc-ID`).
    public var production: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Progress, kept by the accountant with each job it registers.
    public var jobs: Int
    public var jobsDone: Int
    public var eventsDone: Int64
    public var cpuSeconds: Double

    public static let maximumEvents: Int64 = 100_000_000_000
    public static let defaultEventsPerJob = 10_000

    public init(
        id: Int64 = 0, campaign: String, group: String, liaison: String, eventType: String, events: Int64, background: Background = .bgx1,
        priority: Priority = .major, runs: String? = nil, eventsPerJob: Int = MonteCarloRequest.defaultEventsPerJob, comment: String = "",
        state: MonteCarloRequestState = .requested, production: String? = nil, createdAt: Timestamp = .now, updatedAt: Timestamp = .now, jobs: Int = 0,
        jobsDone: Int = 0, eventsDone: Int64 = 0, cpuSeconds: Double = 0
    ) throws(ConveyorError) {
        self.id = id
        self.campaign = campaign
        self.group = group
        self.liaison = liaison
        self.eventType = eventType
        self.events = events
        self.background = background
        self.priority = priority
        self.runs = runs
        self.eventsPerJob = eventsPerJob
        self.comment = comment
        self.state = state
        self.production = production
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.jobs = jobs
        self.jobsDone = jobsDone
        self.eventsDone = eventsDone
        self.cpuSeconds = cpuSeconds
        try validate()
    }

    /// Refuses values no request can have, naming the field.
    public func validate() throws(ConveyorError) {
        try MonteCarloCampaign.validateWord(campaign, "campaign name")
        try MonteCarloCampaign.validateWord(group, "physics group")
        try MonteCarloCampaign.validateWord(eventType, "event type")
        guard !liaison.trimmingCharacters(in: .whitespaces).isEmpty, liaison.count <= 64 else {
            throw .invalidInput("an MC request needs its liaison (1–64 characters)")
        }
        guard (1...Self.maximumEvents).contains(events) else {
            throw .invalidInput("an MC request asks for 1 to \(Self.maximumEvents) events, not \(events)")
        }
        guard (1...10_000_000).contains(eventsPerJob) else { throw .invalidInput("events per job are 1 to 10000000, not \(eventsPerJob)") }
        guard events / Int64(eventsPerJob) < 10_000_000 else {
            throw .invalidInput("\(events) events at \(eventsPerJob) per job is more than 10,000,000 jobs; ask for more events per job")
        }
        if let runs, ProcessingRequest.runQuery(runs) == nil { throw .invalidInput("runs are EXP:FIRST-LAST, e.g. 8:100-250, not '\(runs.prefix(40))'") }
        guard comment.count <= 2_000 else { throw .invalidInput("an MC request's comment is at most 2000 characters") }
    }

    /// Run-dependent: simulated run by run in the data's conditions.
    public var isRunDependent: Bool { runs != nil }

    /// What makes two requests the same sample: a second one is refused as a duplicate.
    public var sampleKey: String { "\(campaign)|\(eventType)|\(background.rawValue)|\(runs ?? "run-independent")" }

    /// `ID: event type, events, background` in one line.
    public var label: String { "\(id): \(eventType) \(events) events \(background.rawValue.uppercased())\(runs.map { " runs \($0)" } ?? "")" }
}
