/// The luminosity and events behind a list of files, as LHCb bookkeeping propagates them: a raw
/// file carries its run's luminosity in proportion to its share of its data stream's events; a
/// derived file carries what its raw ancestors carry, each counted once however many paths lead
/// to it.
///
/// A run's data streams (all events, and each HLT skim the DAQ writes) each saw the run's whole
/// luminosity: an HLT skim's file carries the luminosity of the data it was selected from, never
/// a share scaled by the events it kept. Two streams of one run in a list are the same
/// collisions, so the run counts once, with the stream that covers most of it.
///
/// ```swift
/// let account = LuminosityAccount(listedEvents: 1445, rawAncestors: raw, runs: accounting)
/// account.luminosity   // /pb behind the list
/// ```
public struct LuminosityAccount: Sendable, Codable, Hashable {
    public struct RunCoverage: Sendable, Codable, Hashable {
        public let run: ExpRun
        /// The data stream that covers most of the run (`all` for all events, else the HLT skim).
        public let stream: String
        public let rawFilesCovered: Int
        public let rawFilesInRun: Int
        /// The share of the stream's events behind the list (1 when the stream is whole).
        public let fraction: Double
        /// /pb behind the list from this run.
        public let luminosity: Double
        /// Some of the stream's raw files, or of its recorded events, are not behind the list.
        public var isPartial: Bool { rawFilesCovered < rawFilesInRun || fraction < 1 - 1e-9 }
    }

    /// A run's data stream.
    public struct StreamKey: Hashable, Sendable {
        public let run: ExpRun
        public let stream: String

        public init(run: ExpRun, stream: String) {
            self.run = run
            self.stream = stream
        }
    }

    /// What the catalog and the run registry say about the runs behind a list.
    public struct Runs: Sendable {
        /// Each run's luminosity (/pb) and recorded events.
        public var runs: [ExpRun: (luminosity: Double, events: Int64)] = [:]
        /// The DAQ's raw files of each stream of a run, and their events.
        public var streams: [StreamKey: (files: Int, events: Int64)] = [:]

        public init() {}
    }

    /// /pb behind the list.
    public let luminosity: Double
    /// Events in the listed files themselves.
    public let events: Int64
    public let runs: [RunCoverage]
    public var partlyCoveredRuns: [ExpRun] { runs.filter(\.isPartial).map(\.run) }

    /// The stream of a raw file's data tag: `all` for all events.
    public static func stream(of dataTag: String?) -> String {
        guard let dataTag, !dataTag.isEmpty else { return "all" }
        return dataTag
    }

    /// - Parameters:
    ///   - listedEvents: events of the listed files.
    ///   - rawAncestors: every raw file behind the list (once each): its run, stream and events.
    ///   - runs: the runs' luminosity and events, and their raw files and events by stream.
    public init(listedEvents: Int64, rawAncestors: [(run: ExpRun, stream: String, events: Int64)], runs: Runs) {
        var covered: [StreamKey: (files: Int, events: Int64)] = [:]
        for raw in rawAncestors {
            let key = StreamKey(run: raw.run, stream: raw.stream)
            covered[key, default: (0, 0)].files += 1
            covered[key, default: (0, 0)].events += raw.events
        }
        var best: [ExpRun: RunCoverage] = [:]
        for (key, part) in covered {
            let run = runs.runs[key.run] ?? (0, 0)
            let stream = runs.streams[key] ?? part
            // All events: the run's recorded events where registered; a skim: the events the DAQ wrote to it.
            let total = key.stream == "all" && run.events > 0 ? run.events : stream.events
            let fraction = total > 0 ? min(1, Double(part.events) / Double(total)) : (part.files >= stream.files ? 1 : 0)
            let coverage = RunCoverage(
                run: key.run, stream: key.stream, rawFilesCovered: part.files, rawFilesInRun: max(stream.files, part.files), fraction: fraction,
                luminosity: run.luminosity * fraction)
            if let other = best[key.run], (other.fraction, other.stream) >= (coverage.fraction, coverage.stream) { continue }
            best[key.run] = coverage
        }
        self.runs = best.values.sorted { $0.run < $1.run }
        self.luminosity = self.runs.reduce(0) { $0 + $1.luminosity }
        self.events = listedEvents
    }
}
