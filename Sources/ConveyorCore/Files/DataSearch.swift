/// A data search like the Belle II calibration website's DataSearcher: run attributes (range,
/// type, energy, magnet, quality), file attributes (level, site, status), and data-tag filters
/// with NOT.
public struct DataSearch: Sendable, Hashable {
    public var runs: RunQuery
    public var files: FileQuery
    /// Files must carry one of these data tags (empty: any).
    public var tags: [String]
    /// Files must carry none of these.
    public var excludedTags: [String]

    public init(runs: RunQuery = RunQuery(), files: FileQuery = FileQuery(), tags: [String] = [], excludedTags: [String] = []) {
        self.runs = runs
        self.files = files
        self.tags = tags
        self.excludedTags = excludedTags
    }

    /// Parses tag filters written `hlt_hadron,hlt_bhabha,!hlt_mumu_2trk` (a leading `!` or `NOT:` excludes).
    public static func tagFilters(_ text: String?) -> (include: [String], exclude: [String]) {
        var include: [String] = [], exclude: [String] = []
        for part in (text ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if part.hasPrefix("!") {
                exclude.append(String(part.dropFirst()))
            } else if part.uppercased().hasPrefix("NOT:") {
                exclude.append(String(part.dropFirst(4)))
            } else {
                include.append(part)
            }
        }
        return (include, exclude)
    }
}

extension DataSearch {
    /// Builds a search from the text a user types (CLI options, query parameters); only good
    /// files unless `status` says otherwise.
    public init(runs: RunQuery, level: String?, site: String?, status: String?, tags: String?) throws(ConveyorError) {
        var files = try FileQuery(exp: nil, runs: nil, level: level, dataTag: nil, site: site, status: status ?? "good", limit: 100_000)
        files.runs = RunQuery()
        let (include, exclude) = Self.tagFilters(tags)
        self.init(runs: runs, files: files, tags: include, excludedTags: exclude)
    }
}

/// What a search found: the files, and per run the folders they are in.
public struct SearchResult: Sendable, Codable {
    public struct RunPaths: Sendable, Codable, Hashable {
        public let run: ExpRun
        public let paths: [String]
        public let files: Int
        public let events: Int64
    }

    public let files: [CatalogFile]
    public let runs: [RunPaths]

    public init(files: [CatalogFile]) {
        self.files = files
        var byRun: [ExpRun: (paths: Set<String>, files: Int, events: Int64)] = [:]
        for file in files {
            let folder = file.lfn.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            byRun[file.run, default: ([], 0, 0)].paths.insert(folder)
            byRun[file.run, default: ([], 0, 0)].files += 1
            byRun[file.run, default: ([], 0, 0)].events += file.events
        }
        runs = byRun.keys.sorted().map { RunPaths(run: $0, paths: byRun[$0]!.paths.sorted(), files: byRun[$0]!.files, events: byRun[$0]!.events) }
    }
}
