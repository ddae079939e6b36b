/// What a rule asks to keep copies of.
public enum RuleTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    case file(String)
    case dataset(String)
    case container(String)

    /// `/lfn/of/a/file`, `dataset:NAME` or `container:NAME`.
    public init(parsing text: String) throws(ConveyorError) {
        if text.hasPrefix("/") {
            self = .file(text)
        } else if text.hasPrefix("dataset:") {
            let name = String(text.dropFirst("dataset:".count))
            try Dataset.validate(name: name)
            self = .dataset(name)
        } else if text.hasPrefix("container:") {
            let name = String(text.dropFirst("container:".count))
            try Dataset.validate(name: name)
            self = .container(name)
        } else {
            throw .invalidInput("a rule's data is an LFN (/…), dataset:NAME or container:NAME, not '\(text)'")
        }
    }

    public var kind: String {
        switch self {
        case .file: "file"
        case .dataset: "dataset"
        case .container: "container"
        }
    }

    public var name: String {
        switch self {
        case .file(let n), .dataset(let n), .container(let n): n
        }
    }

    public var description: String {
        switch self {
        case .file(let lfn): lfn
        case .dataset(let n): "dataset:\(n)"
        case .container(let n): "container:\(n)"
        }
    }

    public init(kind: String, name: String) throws(ConveyorError) {
        switch kind {
        case "file": self = .file(name)
        case "dataset": self = .dataset(name)
        case "container": self = .container(name)
        default: throw .storeFailure("rules.target_kind holds '\(kind)', which is not a rule target this program knows")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try RuleTarget(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }
}

/// Rucio's rule states: copies being made, all there, some failing (retried), or given up on
/// until someone looks.
public enum RuleState: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "rule state"
    public static let isUppercase = true
    case REPLICATING, OK, STUCK, SUSPENDED
}

/// How a rule's copies are placed: all files on the same endpoints, each dataset together, or each file on its own.
public enum RuleGrouping: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "grouping"
    public static let isUppercase = false
    case all, dataset, none
}

/// One file's copy at one endpoint held by a rule.
public enum LockState: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "lock state"
    public static let isUppercase = false
    case replicating, ok, stuck
}

/// "Keep `copies` copies of this data on endpoints matching `expression`", until `expiresAt`.
public struct ReplicationRule: Sendable, Hashable, Codable {
    public var id: Int64
    public var target: RuleTarget
    public var copies: Int
    public var expression: String
    public var grouping: RuleGrouping
    public var owner: String
    public var activity: String
    public var priority: Int
    public var comment: String
    public var state: RuleState
    /// Why copies are not all there (the newest failure); nil when OK.
    public var error: String?
    public var expiresAt: Timestamp?
    /// The request whose inputs the rule stages (ended with it) or whose outputs it places.
    public var request: String?
    public var createdAt: Timestamp
    public var locksOK: Int
    public var locksReplicating: Int
    public var locksStuck: Int
    public var bytes: Int64

    public init(
        id: Int64, target: RuleTarget, copies: Int, expression: String, grouping: RuleGrouping = .dataset, owner: String, activity: String = "User",
        priority: Int = 3, comment: String = "", state: RuleState = .REPLICATING, error: String? = nil, expiresAt: Timestamp? = nil,
        request: String? = nil, createdAt: Timestamp, locksOK: Int = 0, locksReplicating: Int = 0, locksStuck: Int = 0, bytes: Int64 = 0
    ) {
        self.id = id
        self.target = target
        self.copies = copies
        self.expression = expression
        self.grouping = grouping
        self.owner = owner
        self.activity = activity
        self.priority = priority
        self.comment = comment
        self.state = state
        self.error = error
        self.expiresAt = expiresAt
        self.request = request
        self.createdAt = createdAt
        self.locksOK = locksOK
        self.locksReplicating = locksReplicating
        self.locksStuck = locksStuck
        self.bytes = bytes
    }

    /// The state the counts of its locks give, with the rule's suspension kept.
    public static func state(ok: Int, replicating: Int, stuck: Int, suspended: Bool) -> RuleState {
        if suspended { return .SUSPENDED }
        if stuck > 0 { return .STUCK }
        if replicating > 0 { return .REPLICATING }
        return .OK
    }

    /// Refuses what no rule can ask for.
    public static func validate(copies: Int, priority: Int, activity: String, comment: String) throws(ConveyorError) {
        guard (1...10).contains(copies) else { throw .invalidInput("copies must be 1–10, not \(copies)") }
        guard (0...5).contains(priority) else { throw .invalidInput("priority must be 0–5 (Rucio's range), not \(priority)") }
        guard !activity.isEmpty, activity.count <= 50, activity.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || " _-".contains($0)) }) else {
            throw .invalidInput("activity '\(activity)' must be 1–50 letters, digits, spaces, '_' or '-'")
        }
        guard comment.count <= 1000, !comment.contains("\n") else { throw .invalidInput("a rule's comment is one line of at most 1000 characters") }
    }
}
