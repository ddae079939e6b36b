/// A named group of files (a bucket's raw files, a request's outputs of one level), or a
/// container of datasets, as Rucio's DIDs. Rules are made on files, datasets and containers.
public enum DatasetKind: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "dataset kind"
    public static let isUppercase = false
    case dataset, container
}

/// A dataset or container with what it holds.
public struct Dataset: Sendable, Hashable, Codable {
    public var name: String
    public var kind: DatasetKind
    /// Files (for a container: in all its datasets) and their bytes.
    public var files: Int
    public var bytes: Int64
    public var createdAt: Timestamp
    public var createdBy: String

    public init(name: String, kind: DatasetKind, files: Int = 0, bytes: Int64 = 0, createdAt: Timestamp, createdBy: String) {
        self.name = name
        self.kind = kind
        self.files = files
        self.bytes = bytes
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// Names as Rucio allows them: letters, digits and `_ . - : /`, up to 250 characters, not starting with `/`.
    public static func validate(name: String) throws(ConveyorError) {
        guard !name.isEmpty, name.count <= 250, let first = name.first, first.isASCII, first.isLetter || first.isNumber,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-:/".contains($0)) })
        else {
            throw .invalidInput(
                "dataset name '\(name)' must start with a letter or digit and hold only letters, digits, '_', '.', '-', ':' or '/' (at most 250)")
        }
    }
}
