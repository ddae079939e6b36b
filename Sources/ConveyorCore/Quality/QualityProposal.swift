/// A quality flag the monitoring proposes for one detector of one run: BAD, with the failed
/// variables as its reason. Never silent: it waits in the inbox of the people who certify runs
/// until one confirms it (then it is an ordinary quality event, "proposed by monitoring,
/// confirmed by …") or rejects it; where the experiment asks for it, it is applied at once and
/// recorded as applied by monitoring. A newer monitoring version that no longer fails withdraws
/// an open one.
///
/// ```swift
/// proposal.state                // .open
/// proposal.reason               // "cdc/hit_map: KS probability 2e-09 < 0.001"
/// ```
public struct QualityProposal: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "proposal state"
        public static let isUppercase = false
        case open
        case confirmed
        case rejected
        case applied
        case withdrawn
    }

    public var id: Int64
    public var run: ExpRun
    public var processing: String
    public var detector: String
    public var flag: QualityFlag
    public var reason: String
    public var state: State
    public var createdAt: Timestamp
    public var decidedAt: Timestamp?
    public var decidedBy: String?
    public var comment: String?

    public init(
        id: Int64 = 0, run: ExpRun, processing: String, detector: String, flag: QualityFlag = .bad, reason: String, state: State = .open, createdAt: Timestamp,
        decidedAt: Timestamp? = nil, decidedBy: String? = nil, comment: String? = nil
    ) {
        self.id = id
        self.run = run
        self.processing = processing
        self.detector = detector
        self.flag = flag
        self.reason = reason
        self.state = state
        self.createdAt = createdAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.comment = comment
    }

    /// The quality event's reason when it is confirmed (or applied).
    public func flagReason(confirmedBy actor: String?, comment: String?) -> String {
        let who = actor.map { "confirmed by \($0)" } ?? "applied automatically as experiment \(run.exp) is configured to"
        let note = comment.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
        return "proposed by monitoring (\(processing): \(reason)), \(who)\(note)"
    }
}
