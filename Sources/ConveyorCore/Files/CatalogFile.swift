/// The data levels of the processing chain (DOMAIN.md): RAW → cDST → mDST → uDST.
public enum DataLevel: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "data level"
    public static let isUppercase = false
    case raw, cdst, mdst, udst
    public var description: String { rawValue }
}

/// Whether a file may be used.
public enum FileStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible, NamedValueSet {
    public static let valueKind = "file status"
    public static let isUppercase = false
    case good, bad, lost
    public var description: String { rawValue }
}

/// Disk or tape: tape data must be staged before jobs read it.
public enum StorageKind: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "storage kind"
    public static let isUppercase = false
    case disk, tape
}

/// The state of one copy (Rucio's replica states).
public enum ReplicaState: String, Sendable, Codable, CaseIterable, NamedValueSet {
    public static let valueKind = "replica state"
    public static let isUppercase = false
    case available, copying, bad, lost
    /// On tape, or on a disk that is down: it exists but cannot be read now.
    case unavailable
    /// Its last rule ended and the reaper is removing it.
    case being_deleted
}

/// One copy of a file at a site.
public struct Replica: Sendable, Hashable, Codable {
    public var site: String
    public var storage: StorageKind
    public var path: String
    public var state: ReplicaState

    public init(site: String, storage: StorageKind = .disk, path: String, state: ReplicaState = .available) {
        self.site = site
        self.storage = storage
        self.path = path
        self.state = state
    }
}

/// A file of the catalog: identity and checksums, what it holds, where it came from, where it is.
public struct CatalogFile: Sendable, Hashable, Codable {
    /// The logical file name, unique in the catalog.
    public var lfn: String
    public var size: Int64
    /// Adler-32 as 8 hex digits.
    public var adler32: String
    public var sha256: String
    public var events: Int64
    public var run: ExpRun
    public var level: DataLevel
    /// The HLT skim or data tag (`hlt_hadron`, …) or physics skim name; nil for all events.
    public var dataTag: String?
    public var release: String
    public var globalTags: [String]
    /// When the job resolved its conditions from `globalTags`: `payload resolve --gt TAGS --run
    /// RUN --as-of` this moment gives back the payloads it was made with.
    public var conditionsResolvedAt: Timestamp?
    /// The job (attempt) that made the file, if Conveyor ran it.
    public var job: String?
    /// The LFNs of the files it was made from.
    public var parents: [String]
    public var status: FileStatus
    public var replicas: [Replica]

    public init(
        lfn: String, size: Int64, adler32: String, sha256: String, events: Int64, run: ExpRun, level: DataLevel,
        dataTag: String? = nil, release: String = "", globalTags: [String] = [], conditionsResolvedAt: Timestamp? = nil, job: String? = nil,
        parents: [String] = [], status: FileStatus = .good, replicas: [Replica] = []
    ) {
        self.lfn = lfn
        self.size = size
        self.adler32 = adler32
        self.sha256 = sha256
        self.events = events
        self.run = run
        self.level = level
        self.dataTag = dataTag
        self.release = release
        self.globalTags = globalTags
        self.conditionsResolvedAt = conditionsResolvedAt
        self.job = job
        self.parents = parents
        self.status = status
        self.replicas = replicas
    }

    /// Refuses values no file can have, naming the field.
    public func validate() throws(ConveyorError) {
        guard lfn.hasPrefix("/"), lfn.count <= 1024, !lfn.contains("//"), !lfn.contains("\n") else {
            throw .invalidInput("LFN '\(lfn)' must be an absolute path without empty parts, at most 1024 characters")
        }
        guard size >= 0, events >= 0 else { throw .invalidInput("\(lfn): size and events must not be negative") }
        guard adler32.count == 8, adler32.allSatisfy(\.isHexDigit) else { throw .invalidInput("\(lfn): adler32 must be 8 hex digits, not '\(adler32)'") }
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { throw .invalidInput("\(lfn): sha256 must be 64 hex digits") }
        guard !parents.contains(lfn) else { throw .invalidInput("\(lfn) cannot be its own parent") }
        // Raw data comes from the DAQ; a raw file made from other raw files is an HLT skim of them.
        if level == .raw, !parents.isEmpty, dataTag == nil || dataTag == "all" {
            throw .invalidInput("\(lfn): a raw file with parents is an HLT skim of them and needs its data tag")
        }
    }

    /// Whether another registration of the same LFN describes the same bytes.
    /// What identifies a file's bytes: a second registration of an LFN must match them.
    public struct Checksums: Sendable, Equatable {
        public let size: Int64
        public let adler32: String
        public let sha256: String

        public init(size: Int64, adler32: String, sha256: String) {
            self.size = size
            self.adler32 = adler32
            self.sha256 = sha256
        }

        public func sameBytes(as file: CatalogFile) -> Bool {
            size == file.size && adler32.lowercased() == file.adler32.lowercased() && sha256.lowercased() == file.sha256.lowercased()
        }
    }
}
