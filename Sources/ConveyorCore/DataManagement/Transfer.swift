/// Where a queued copy stands.
public enum TransferState: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "transfer state"
    public static let isUppercase = false
    /// Waiting for its turn (or its next try after a failure).
    case queued
    /// Being copied (or recalled from tape) now.
    case active
    /// Failed too often: its rules are SUSPENDED until someone retries them.
    case failed
}

/// One copy to make: a file to an endpoint, from a source chosen when it starts.
public struct Transfer: Sendable, Hashable, Codable {
    public var id: Int64
    public var fileID: Int64
    public var lfn: String
    public var size: Int64
    public var adler32: String
    public var endpoint: String
    public var state: TransferState
    /// The endpoint the last try copied from (a bad copy is retried from another).
    public var source: String?
    public var failures: Int
    public var error: String?
    public var priority: Int

    public init(
        id: Int64, fileID: Int64, lfn: String, size: Int64, adler32: String, endpoint: String, state: TransferState, source: String?, failures: Int,
        error: String?, priority: Int
    ) {
        self.id = id
        self.fileID = fileID
        self.lfn = lfn
        self.size = size
        self.adler32 = adler32
        self.endpoint = endpoint
        self.state = state
        self.source = source
        self.failures = failures
        self.error = error
        self.priority = priority
    }
}
