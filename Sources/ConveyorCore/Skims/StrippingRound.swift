/// A skim or stripping round: the mDST of one processing (a request's outputs) run through the
/// subscribed selections with one release and tag stack, after every selection passed its
/// automatic tests on a sample of the input's runs, and written as one file per stream per input.
///
/// ```swift
/// var round = StrippingRound(name: "strip1", input: "demo-prompt", release: "release-08",
///                            globalTags: ["prompt"], program: "conveyor-sim strip")
/// round.state   // .defined → .tested → .submitted
/// ```
public struct StrippingRound: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "round state"
        public static let isUppercase = false
        /// Selections may be subscribed; not yet tested.
        case defined
        /// Tested on its sample; streams proposed and editable.
        case tested
        /// Its request runs: the selections, streams, release and tags are fixed.
        case submitted
    }

    public var id: Int64
    public var name: String
    /// The request whose mDST the round reads.
    public var input: String
    public var release: String
    public var globalTags: [String]
    /// The experiment's program that writes a stream from its selections (`$CONVEYOR_SELECTIONS`).
    public var program: String
    /// Runs of the input the tests read; empty: the first `sampleSize` runs of the input.
    public var sampleRuns: [Int]
    public var sampleSize: Int
    public var limits: RoundLimits
    public var state: State
    public var createdAt: Timestamp
    public var createdBy: String
    public var testedAt: Timestamp?
    public var submittedAt: Timestamp?
    /// The request that runs the round, once submitted.
    public var request: String?
    /// The grouping in force (the automatic one, or a person's edit of it).
    public var grouping: StreamGrouping?
    /// Why a person's grouping breaks a rule, when it does.
    public var groupingReason: String?

    public init(
        id: Int64 = 0, name: String, input: String, release: String, globalTags: [String], program: String, sampleRuns: [Int] = [], sampleSize: Int = 3,
        limits: RoundLimits = RoundLimits(), state: State = .defined, createdAt: Timestamp = .now, createdBy: String = "", testedAt: Timestamp? = nil,
        submittedAt: Timestamp? = nil, request: String? = nil, grouping: StreamGrouping? = nil, groupingReason: String? = nil
    ) {
        self.id = id
        self.name = name
        self.input = input
        self.release = release
        self.globalTags = globalTags
        self.program = program
        self.sampleRuns = sampleRuns
        self.sampleSize = sampleSize
        self.limits = limits
        self.state = state
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.testedAt = testedAt
        self.submittedAt = submittedAt
        self.request = request
        self.grouping = grouping
        self.groupingReason = groupingReason
    }

    public func validate() throws(ConveyorError) {
        try Selection.validateName(name, "round")
        guard !input.isEmpty else { throw .invalidInput("round \(name) needs its input (a request whose mDST it reads)") }
        guard !release.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("round \(name) needs its release") }
        guard !globalTags.isEmpty, globalTags.allSatisfy({ !$0.isEmpty }) else { throw .invalidInput("round \(name) needs its global tags") }
        guard !program.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("round \(name) needs the program that writes streams") }
        guard (1...1000).contains(sampleSize) else { throw .invalidInput("round \(name): the sample is 1 to 1000 runs, not \(sampleSize)") }
        try limits.validate()
    }

    /// The name of the request that runs it.
    public var requestName: String { "strip-\(name)" }
}
