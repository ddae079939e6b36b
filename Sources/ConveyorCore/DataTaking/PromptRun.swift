/// A run on its way to PromptReco, as the handshake sees it.
public struct PromptRun: Codable, Sendable, Equatable {
    /// What a shifter decided for a run found bad.
    public enum Disposition: String, Codable, Sendable, CaseIterable, CustomStringConvertible, NamedValueSet {
        public static let valueKind = "run disposition"
        public static let isUppercase = false
        /// Goes on as the clock says.
        case normal
        /// Held: locked in its turn but not released until a shifter lets it go on.
        case postponed
        /// Never released; it no longer holds up the runs after it.
        case abandoned

        public var description: String { rawValue }
    }

    public var run: ExpRun
    public var start: Timestamp?
    /// The run's end record.
    public var end: Timestamp?
    /// When its newest raw file was registered.
    public var lastFileAt: Timestamp?
    /// When the handshake closed a run that had no end record (its last file), and why.
    public var closedAt: Timestamp?
    public var closeReason: String?
    public var lockedAt: Timestamp?
    public var releasedAt: Timestamp?
    /// When every calibration of the run was done (results uploaded).
    public var calibratedAt: Timestamp?
    public var disposition: Disposition
    public var dispositionReason: String?

    public init(
        run: ExpRun, start: Timestamp? = nil, end: Timestamp? = nil, lastFileAt: Timestamp? = nil, closedAt: Timestamp? = nil, closeReason: String? = nil,
        lockedAt: Timestamp? = nil, releasedAt: Timestamp? = nil, calibratedAt: Timestamp? = nil, disposition: Disposition = .normal,
        dispositionReason: String? = nil
    ) {
        self.run = run
        self.start = start
        self.end = end
        self.lastFileAt = lastFileAt
        self.closedAt = closedAt
        self.closeReason = closeReason
        self.lockedAt = lockedAt
        self.releasedAt = releasedAt
        self.calibratedAt = calibratedAt
        self.disposition = disposition
        self.dispositionReason = dispositionReason
    }

    /// The end the handshake counts from: the end record, else where it closed the run.
    public var effectiveEnd: Timestamp? { end ?? closedAt }

    /// Where the run stands, in the handshake's words.
    public var stage: String {
        if disposition == .abandoned { return "abandoned" }
        if releasedAt != nil { return "released" }
        if lockedAt != nil { return disposition == .postponed ? "locked, postponed" : "locked" }
        if effectiveEnd == nil { return "open" }
        return disposition == .postponed ? "closed, postponed" : "closed"
    }
}

/// One step of a run through the handshake (closed, locked, released, postponed, …), with why.
public struct PromptRunEvent: Codable, Sendable, Equatable {
    public var run: ExpRun
    public var at: Timestamp
    public var stage: String
    public var reason: String
    public var actor: String

    public init(run: ExpRun, at: Timestamp, stage: String, reason: String, actor: String) {
        self.run = run
        self.at = at
        self.stage = stage
        self.reason = reason
        self.actor = actor
    }
}

/// A run with its way through the handshake, for `prompt show` and the run's page.
public struct PromptRunDetail: Codable, Sendable, Equatable {
    public var run: PromptRun
    public var events: [PromptRunEvent]

    public init(run: PromptRun, events: [PromptRunEvent]) {
        self.run = run
        self.events = events
    }
}
