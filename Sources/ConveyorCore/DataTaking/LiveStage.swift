/// Where one stream of one run stands on its way from the detector to certified data. The main
/// line is ordered; `postponed` and `abandoned` are a shifter's side tracks.
public enum LiveStage: String, Codable, Sendable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "live stage"
    public static let isUppercase = false
    /// Files arrive; express processes them as they come.
    case open
    /// The end record (or the handshake's close), so every file is there.
    case closed
    /// Every express output of the run is registered.
    case express_done
    /// Every calibration producer ran on what the run has (or had nothing to run on).
    case harvested
    /// Every payload is appended to its tag, or its producer gave up.
    case uploaded
    /// No later conditions may change for the run.
    case locked
    /// PromptReco is submitted.
    case released
    case prompt_done
    /// A shifter's quality flag is recorded.
    case certified
    case postponed
    case abandoned

    public var description: String { rawValue }

    /// The main line's order; side tracks sort after `released`'s predecessors they interrupt.
    public var rank: Int {
        switch self {
        case .open: 0
        case .closed: 1
        case .express_done: 2
        case .harvested: 3
        case .uploaded: 4
        case .locked: 5
        case .postponed: 5
        case .released: 6
        case .prompt_done: 7
        case .certified, .abandoned: 8
        }
    }

    /// Nothing more happens to a stream here.
    public var isFinal: Bool { self == .certified || self == .abandoned }
}

/// How one calibration producer of one run stream stands in the prompt calibration loop.
public enum ProducerState: String, Codable, Sendable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "calibration producer state"
    public static let isUppercase = false
    /// Not harvested yet: waiting for express (or its harvest timeout), or retrying a failed run.
    case waiting
    /// The algorithm ran; its payloads wait for their upload (retried until the upload timeout).
    case harvested
    case uploaded
    /// Not enough data in the run: finished without a payload.
    case no_data
    /// A later run's payload was appended first: this run's would only end it early, so it is dropped.
    case superseded
    /// The upload timeout passed before it could be uploaded: the run goes on without it.
    case gave_up

    public var description: String { rawValue }
    /// Whether the producer no longer holds its run back.
    public var isSettled: Bool { self != .waiting && self != .harvested }
}
