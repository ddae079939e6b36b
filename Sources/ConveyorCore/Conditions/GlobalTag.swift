/// A named set of (payload, interval of validity) pairs, with a life cycle (``GlobalTagState``).
public struct GlobalTag: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    public var description: String
    public var type: GlobalTagType
    public var state: GlobalTagState
    public var createdAt: Timestamp
    public var createdBy: String
    /// Bumped by every change to the tag's IoVs or state; lookups cache by it.
    public var changeCount: Int64

    public init(
        id: Int64, name: String, description: String, type: GlobalTagType, state: GlobalTagState, createdAt: Timestamp, createdBy: String, changeCount: Int64
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.type = type
        self.state = state
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.changeCount = changeCount
    }

    /// Tag names: letters, digits, `_`, `-`, `.`; 1–100 characters.
    public static func validate(name: String) throws(ConveyorError) {
        guard !name.isEmpty, name.count <= 100,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) })
        else {
            throw .invalidInput("global tag name '\(name)' must be 1–100 letters, digits, '_', '-' or '.'")
        }
    }
}

/// One IoV of a tag: which payload revision is valid for which runs.
public struct TagEntry: Sendable, Hashable, Codable {
    /// The IoV's row id (stable for the life of this IoV; a changed IoV gets a new id).
    public var id: Int64
    public var name: String
    public var revision: Int
    public var payloadID: Int64
    public var sha256: String
    public var iov: IntervalOfValidity

    public init(id: Int64, name: String, revision: Int, payloadID: Int64, sha256: String, iov: IntervalOfValidity) {
        self.id = id
        self.name = name
        self.revision = revision
        self.payloadID = payloadID
        self.sha256 = sha256
        self.iov = iov
    }
}
