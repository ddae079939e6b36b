/// What an analysis divides by: for a list of files, the luminosity and events behind it and the
/// counts the experiment reports per run (e.g. `bb`, Belle's B counting), each run's count taken
/// in the share of the run the list covers. Given for the whole list and for its readable files
/// only, so that a file marked bad or lost shows what it changes.
///
/// ```swift
/// let n = try await catalog.normalise(lfns)
/// n.usable.luminosity      // /pb behind the readable files
/// n.usable.counts["bb"]    // B pairs behind them
/// n.unreadable             // listed files marked bad or lost
/// ```
public struct Normalisation: Codable, Sendable, Equatable {
    public struct Figures: Codable, Sendable, Equatable {
        public var files: Int
        public var events: Int64
        /// /pb, divided by the prescale where the files hold a prescaled selection.
        public var luminosity: Double
        /// Each reported count behind the files.
        public var counts: [String: Double]
        public var runs: Int
        public var partlyCoveredRuns: [ExpRun]

        public init(files: Int, events: Int64, luminosity: Double, counts: [String: Double], runs: Int, partlyCoveredRuns: [ExpRun]) {
            self.files = files
            self.events = events
            self.luminosity = luminosity
            self.counts = counts
            self.runs = runs
            self.partlyCoveredRuns = partlyCoveredRuns
        }

        /// From a luminosity account and the runs' reported counts.
        public init(files: Int, account: LuminosityAccount, reported: [String: [ExpRun: (value: Double, error: Double?)]], prescale: Int = 1) {
            var counts: [String: Double] = [:]
            for (name, byRun) in reported {
                counts[name] = account.runs.reduce(0) { $0 + (byRun[$1.run]?.value ?? 0) * $1.fraction } / Double(max(prescale, 1))
            }
            self.init(
                files: files, events: account.events, luminosity: account.luminosity / Double(max(prescale, 1)), counts: counts, runs: account.runs.count,
                partlyCoveredRuns: account.partlyCoveredRuns)
        }

        public static let empty = Figures(files: 0, events: 0, luminosity: 0, counts: [:], runs: 0, partlyCoveredRuns: [])
    }

    /// Every listed file.
    public var listed: Figures
    /// The listed files that can be read (status good).
    public var usable: Figures
    /// Listed files marked bad or lost.
    public var unreadable: [String]
    public var prescale: Int

    public init(listed: Figures, usable: Figures, unreadable: [String], prescale: Int = 1) {
        self.listed = listed
        self.usable = usable
        self.unreadable = unreadable
        self.prescale = prescale
    }
}
