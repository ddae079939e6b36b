/// What one selection did on a round's sample: the events it kept and what it cost. The kept
/// events (as ordinals of the sample) give the overlaps from which streams are formed.
///
/// ```swift
/// result.retention       // 0.031
/// result.cpuPerEvent     // 0.00012 s
/// result.bytesPerEvent   // 0.74 output bytes per input event
/// ```
public struct SelectionTestResult: Codable, Sendable, Equatable {
    public var selection: String
    public var eventsIn: Int64
    public var selected: Int64
    public var cpuSeconds: Double
    public var outputBytes: Int64
    /// Why the selection could not be tested (it crashed, its command is missing, its output is unreadable).
    public var failure: String?
    /// Kept events of the sample, for the overlaps; empty when it failed.
    public var events: EventSet
    /// Why it failed the round's limits (or `failure`), nil when it passed.
    public var verdict: String?
    public var at: Timestamp

    public init(
        selection: String, eventsIn: Int64, selected: Int64, cpuSeconds: Double, outputBytes: Int64, failure: String? = nil, events: EventSet,
        verdict: String? = nil, at: Timestamp = .now
    ) {
        self.selection = selection
        self.eventsIn = eventsIn
        self.selected = selected
        self.cpuSeconds = cpuSeconds
        self.outputBytes = outputBytes
        self.failure = failure
        self.events = events
        self.verdict = verdict
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case selection, eventsIn, selected, cpuSeconds, outputBytes, failure, verdict, at
    }

    /// The kept events travel apart from the figures (they are large): the store keeps them in a column of their own.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        selection = try c.decode(String.self, forKey: .selection)
        eventsIn = try c.decode(Int64.self, forKey: .eventsIn)
        selected = try c.decode(Int64.self, forKey: .selected)
        cpuSeconds = try c.decode(Double.self, forKey: .cpuSeconds)
        outputBytes = try c.decode(Int64.self, forKey: .outputBytes)
        failure = try c.decodeIfPresent(String.self, forKey: .failure)
        verdict = try c.decodeIfPresent(String.self, forKey: .verdict)
        at = try c.decode(Timestamp.self, forKey: .at)
        events = EventSet(size: 0)
    }

    public var retention: Double { eventsIn > 0 ? Double(selected) / Double(eventsIn) : 0 }
    public var cpuPerEvent: Double { eventsIn > 0 ? cpuSeconds / Double(eventsIn) : 0 }
    /// Output bytes per input event: the selection's share of the round's bandwidth.
    public var bytesPerEvent: Double { eventsIn > 0 ? Double(outputBytes) / Double(eventsIn) : 0 }
    public var passed: Bool { verdict == nil }
}
