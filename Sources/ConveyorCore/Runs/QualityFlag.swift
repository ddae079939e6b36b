/// The quality of a run, per detector and as a summary.
public enum QualityFlag: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "quality flag"
    public static let isUppercase = true

    case good = "GOOD"
    case bad = "BAD"
    case recoverable = "RECOVERABLE"
    case unknown = "UNKNOWN"

    public var description: String { rawValue }
}

/// One change to a run's quality: a flag set (summary or per detector) or a free tag added or
/// removed. Nothing is overwritten; a run's quality at any moment is replayed from these.
public struct QualityEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case flag, tagAdded, tagRemoved }

    public var run: ExpRun
    public var kind: Kind
    /// The detector for a detector flag; nil for the summary flag and for tags.
    public var detector: String?
    /// The flag before (flags only; UNKNOWN when never set).
    public var old: String?
    /// The new flag, or the tag added or removed.
    public var new: String
    public var reason: String
    public var actor: String
    public var at: Timestamp

    public init(run: ExpRun, kind: Kind, detector: String?, old: String?, new: String, reason: String, actor: String, at: Timestamp) {
        self.run = run
        self.kind = kind
        self.detector = detector
        self.old = old
        self.new = new
        self.reason = reason
        self.actor = actor
        self.at = at
    }
}

/// A run's quality as replayed from its events up to some moment.
public struct RunQuality: Sendable, Hashable, Codable {
    public var summary: QualityFlag = .unknown
    public var detectors: [String: QualityFlag] = [:]
    public var tags: Set<String> = []

    public init() {}

    /// The quality after applying `events` in time order.
    public init(replaying events: [QualityEvent]) {
        for event in events.sorted(by: { $0.at < $1.at }) { apply(event) }
    }

    public mutating func apply(_ event: QualityEvent) {
        switch event.kind {
        case .flag:
            let flag = QualityFlag(rawValue: event.new) ?? .unknown
            if let detector = event.detector { detectors[detector] = flag } else { summary = flag }
        case .tagAdded: tags.insert(event.new)
        case .tagRemoved: tags.remove(event.new)
        }
    }

    public func flag(of detector: String) -> QualityFlag { detectors[detector] ?? .unknown }

}

/// The detectors a run is flagged for, per experiment (configurable); Belle II's by default.
public enum Detectors {
    public static let belleII = ["PXD", "SVD", "CDC", "TOP", "ARICH", "ECL", "KLM", "TRG"]
}
