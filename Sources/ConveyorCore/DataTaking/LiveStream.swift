/// One stream of one run as the live feeder tracks it: its stage, its express chunks, its
/// calibration producers and its PromptReco request.
public struct LiveStream: Codable, Sendable, Equatable {
    public struct Producer: Codable, Sendable, Equatable {
        public var name: String
        public var state: ProducerState
        public var attempts: Int
        public var detail: String
        public var at: Timestamp?

        public init(name: String, state: ProducerState = .waiting, attempts: Int = 0, detail: String = "", at: Timestamp? = nil) {
            self.name = name
            self.state = state
            self.attempts = attempts
            self.detail = detail
            self.at = at
        }
    }

    public var run: ExpRun
    public var stream: String
    public var stage: LiveStage
    public var stageAt: Timestamp
    public var reason: String
    /// Raw files handed to express so far, and the express requests they went into.
    public var expressFiles: Int
    public var expressChunks: Int
    /// Seconds from the run's last raw file to its last express output registered.
    public var expressLatencySeconds: Double?
    public var promptRequest: String?
    public var producers: [Producer]

    public init(
        run: ExpRun, stream: String, stage: LiveStage = .open, stageAt: Timestamp, reason: String = "", expressFiles: Int = 0, expressChunks: Int = 0,
        expressLatencySeconds: Double? = nil, promptRequest: String? = nil, producers: [Producer] = []
    ) {
        self.run = run
        self.stream = stream
        self.stage = stage
        self.stageAt = stageAt
        self.reason = reason
        self.expressFiles = expressFiles
        self.expressChunks = expressChunks
        self.expressLatencySeconds = expressLatencySeconds
        self.promptRequest = promptRequest
        self.producers = producers
    }

    /// The name of the express request of a run stream's `chunk`-th batch of files.
    public static func expressRequestName(_ run: ExpRun, stream: String, chunk: Int) -> String {
        "express.e\(run.exp).r\(run.run).\(stream).c\(chunk)"
    }

    /// The name of a run stream's PromptReco request.
    public static func promptRequestName(_ run: ExpRun, stream: String) -> String { "prompt.e\(run.exp).r\(run.run).\(stream)" }
}

/// One step of a run stream (a stage reached, a chunk sent to express, a producer harvested…).
public struct LiveStreamEvent: Codable, Sendable, Equatable {
    public var run: ExpRun
    public var stream: String
    public var at: Timestamp
    public var stage: String
    public var reason: String

    public init(run: ExpRun, stream: String, at: Timestamp, stage: String, reason: String) {
        self.run = run
        self.stream = stream
        self.at = at
        self.stage = stage
        self.reason = reason
    }
}
