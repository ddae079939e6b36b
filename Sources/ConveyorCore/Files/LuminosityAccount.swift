/// The luminosity and events behind a list of files, as LHCb bookkeeping propagates them: a raw
/// file carries its run's luminosity in proportion to its events; a derived file carries the sum
/// over its raw ancestors, each counted once however many paths lead to it.
public struct LuminosityAccount: Sendable, Codable, Hashable {
    public struct RunCoverage: Sendable, Codable, Hashable {
        public let run: ExpRun
        public let rawFilesCovered: Int
        public let rawFilesInRun: Int
        /// The share of the run's events behind the list (1 when the run is whole).
        public let fraction: Double
        /// /pb behind the list from this run.
        public let luminosity: Double
        /// Some of the run's raw files, or of its recorded events, are not behind the list.
        public var isPartial: Bool { rawFilesCovered < rawFilesInRun || fraction < 1 - 1e-9 }
    }

    /// /pb behind the list.
    public let luminosity: Double
    /// Events in the listed files themselves.
    public let events: Int64
    public let runs: [RunCoverage]
    public var partlyCoveredRuns: [ExpRun] { runs.filter(\.isPartial).map(\.run) }

    /// - Parameters:
    ///   - listedEvents: events of the listed files.
    ///   - rawAncestors: every raw file behind the list (once each): its run and events.
    ///   - runs: for each run involved, its luminosity (/pb), its events, and how many raw files it has.
    public init(listedEvents: Int64, rawAncestors: [(run: ExpRun, events: Int64)], runs: [ExpRun: (luminosity: Double, events: Int64, rawFiles: Int)]) {
        var byRun: [ExpRun: (files: Int, events: Int64)] = [:]
        for raw in rawAncestors { byRun[raw.run, default: (0, 0)].files += 1; byRun[raw.run, default: (0, 0)].events += raw.events }
        var coverage: [RunCoverage] = []
        for (run, covered) in byRun {
            let info = runs[run] ?? (0, 0, covered.files)
            let fraction = info.events > 0 ? min(1, Double(covered.events) / Double(info.events)) : (covered.files >= info.rawFiles ? 1 : 0)
            coverage.append(
                RunCoverage(
                    run: run, rawFilesCovered: covered.files, rawFilesInRun: max(info.rawFiles, covered.files),
                    fraction: fraction, luminosity: info.luminosity * fraction))
        }
        self.runs = coverage.sorted { $0.run < $1.run }
        self.luminosity = self.runs.reduce(0) { $0 + $1.luminosity }
        self.events = listedEvents
    }
}
