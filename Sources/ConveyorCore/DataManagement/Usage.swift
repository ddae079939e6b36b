/// What `dm usage` breaks bytes down by.
public enum UsageDimension: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "usage dimension"
    public static let isUppercase = false
    case site, campaign, level, release
    /// The bytes each rule owner's locks hold (as Rucio accounts usage): a copy two owners' rules hold counts for both.
    case owner
}

/// Bytes and files at one site's storage for one value of a dimension.
public struct UsageRow: Sendable, Hashable, Codable {
    public var site: String
    public var storage: String
    public var key: String
    public var bytes: Int64
    public var files: Int

    public init(site: String, storage: String, key: String, bytes: Int64, files: Int) {
        self.site = site
        self.storage = storage
        self.key = key
        self.bytes = bytes
        self.files = files
    }
}
