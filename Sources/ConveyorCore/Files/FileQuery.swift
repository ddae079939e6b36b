/// Which files `files list`, the REST API and search select.
public struct FileQuery: Sendable, Hashable {
    public var runs: RunQuery
    public var level: DataLevel?
    public var dataTag: String?
    public var site: String?
    public var status: FileStatus?
    public var limit: Int

    public init(
        runs: RunQuery = RunQuery(), level: DataLevel? = nil, dataTag: String? = nil, site: String? = nil, status: FileStatus? = nil, limit: Int = 10_000
    ) {
        self.runs = runs
        self.level = level
        self.dataTag = dataTag
        self.site = site
        self.status = status
        self.limit = limit
    }
}

extension FileQuery {
    /// Builds a query from the text a user types (CLI options, query parameters).
    public init(exp: Int?, runs: String?, level: String?, dataTag: String?, site: String?, status: String?, limit: Int?) throws(ConveyorError) {
        self.init(
            runs: try RunQuery(exp: exp, runs: runs, type: nil, energy: nil, magnet: nil, minimumDurationMinutes: nil, minimumLuminosity: nil, quality: nil),
            dataTag: dataTag, site: site, limit: limit ?? 10_000)
        guard self.limit > 0 else { throw .invalidInput("limit must be positive") }
        if let level { self.level = try DataLevel(parsing: level) }
        if let status { self.status = try FileStatus(parsing: status) }
    }
}

/// A file's place in the provenance graph: how many steps away.
public struct Relative: Sendable, Hashable, Codable {
    public let lfn: String
    public let level: DataLevel
    public let depth: Int

    public init(lfn: String, level: DataLevel, depth: Int) {
        self.lfn = lfn
        self.level = level
        self.depth = depth
    }
}
