/// One atom of conditions data: a file under a name, numbered by revision within that name.
///
/// Identical bytes uploaded again under the same name are the same payload (same revision).
public struct Payload: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    public var revision: Int
    public var sha256: String
    public var md5: String
    public var size: Int64
    public var creator: String
    public var createdAt: Timestamp
    public var description: String

    public init(id: Int64, name: String, revision: Int, sha256: String, md5: String, size: Int64, creator: String, createdAt: Timestamp, description: String) {
        self.id = id
        self.name = name
        self.revision = revision
        self.sha256 = sha256
        self.md5 = md5
        self.size = size
        self.creator = creator
        self.createdAt = createdAt
        self.description = description
    }

    /// Payload names are identifiers: a letter, then letters, digits and `_`, at most 100.
    public static func validate(name: String) throws(ConveyorError) {
        guard let first = name.first, first.isASCII, first.isLetter, name.count <= 100,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw .invalidInput("payload name '\(name)' must start with a letter and hold only letters, digits and '_' (at most 100)")
        }
    }
}
