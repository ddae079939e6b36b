/// How an MC request becomes jobs: events shared among runs in proportion to their luminosity,
/// each run's events split into jobs, and each job's random seed derived from the production's
/// seed, its run and its place, so that rerunning a job reproduces its events.
///
/// ```swift
/// let perRun = try MonteCarloPlan.shares(events: 1_000, luminosities: [(ExpRun(exp: 8, run: 1), 2.5), (ExpRun(exp: 8, run: 2), 7.5)])
/// // [(8:1, 250), (8:2, 750)]
/// MonteCarloPlan.split(750, perJob: 300)   // [250, 250, 250]
/// ```
public enum MonteCarloPlan {
    /// Events per run in proportion to each run's luminosity, adding up to `events` exactly
    /// (largest remainders get the events rounding leaves). Runs that get none are left out.
    public static func shares(events: Int64, luminosities: [(run: ExpRun, luminosity: Double)]) throws(ConveyorError) -> [(run: ExpRun, events: Int64)] {
        let usable = luminosities.filter { $0.luminosity.isFinite && $0.luminosity > 0 }
        let total = usable.reduce(0) { $0 + $1.luminosity }
        guard total > 0 else { throw .invalidInput("the runs have no recorded luminosity to share \(events) events by") }
        var given: [Int64] = []
        var remainders: [(index: Int, remainder: Double)] = []
        for (i, item) in usable.enumerated() {
            let exact = Double(events) * item.luminosity / total
            let whole = Int64(exact.rounded(.down))
            given.append(whole)
            remainders.append((i, exact - Double(whole)))
        }
        var left = events - given.reduce(0, +)
        for item in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }) where left > 0 {
            given[item.index] += 1
            left -= 1
        }
        return zip(usable, given).compactMap { item, n in n > 0 ? (item.run, n) : nil }
    }

    /// Job sizes for `events`: as few jobs as `perJob` allows, their sizes differing by at most one.
    public static func split(_ events: Int64, perJob: Int) -> [Int64] {
        guard events > 0, perJob > 0 else { return [] }
        let jobs = (events + Int64(perJob) - 1) / Int64(perJob)
        let base = events / jobs, extra = events % jobs
        return (0..<jobs).map { $0 < extra ? base + 1 : base }
    }

    /// A job's seed: SplitMix64 of the production's seed, the run and the job's index in it,
    /// kept to 63 bits so that every database stores it as it is.
    public static func seed(base: Int64, run: ExpRun, index: Int) -> Int64 {
        var x = UInt64(bitPattern: base) &* 0x9E37_79B9_7F4A_7C15
        for part in [Int64(run.exp), Int64(run.run), Int64(index)].map(UInt64.init(bitPattern:)) {
            x = mix(x ^ part)
        }
        return Int64(bitPattern: x & 0x7FFF_FFFF_FFFF_FFFF)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// How often a run's random-trigger events are overlaid: the events simulated for the run per
    /// background event its files hold. Above 1, background events are reused.
    public struct BackgroundUse: Codable, Sendable, Equatable {
        public var run: ExpRun
        public var simulated: Int64
        public var backgroundEvents: Int64
        public var files: Int

        public init(run: ExpRun, simulated: Int64, backgroundEvents: Int64, files: Int) {
            self.run = run
            self.simulated = simulated
            self.backgroundEvents = backgroundEvents
            self.files = files
        }

        /// Times each background event is used on average (infinite when there is none).
        public var reuse: Double { backgroundEvents > 0 ? Double(simulated) / Double(backgroundEvents) : .infinity }
    }

    /// The reuse across runs, in one line: mean weighted by events, and the worst run.
    public static func reuseSummary(_ uses: [BackgroundUse]) -> String {
        guard let worst = uses.max(by: { $0.reuse < $1.reuse }) else { return "no background overlaid" }
        let simulated = uses.reduce(0) { $0 + $1.simulated }, background = uses.reduce(0) { $0 + $1.backgroundEvents }
        let mean = background > 0 ? Double(simulated) / Double(background) : .infinity
        return
            "background events reused \(format(mean))× on average, at most \(format(worst.reuse))× (run \(worst.run): \(worst.simulated) events on \(worst.backgroundEvents) background events in \(worst.files) file(s))"
    }

    static func format(_ value: Double) -> String {
        value.isFinite ? String((value * 100).rounded() / 100) : "∞"
    }
}
