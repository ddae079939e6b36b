import Testing

@testable import ConveyorCore

/// The rules of skims and stripping rounds: limits, streams from overlaps, luminosity of skims.
@Suite struct StrippingRoundTests {
    static func set(_ size: Int, _ ordinals: some Sequence<Int>) -> EventSet {
        var s = EventSet(size: size)
        for o in ordinals { s.insert(o) }
        return s
    }

    @Test func eventSetsCountOverlapsAndSurviveStorage() {
        let a = Self.set(1000, 0..<100), b = Self.set(1000, 50..<300)
        #expect(a.count == 100 && b.count == 250)
        #expect(a.intersectionCount(with: b) == 50)
        var u = a
        u.formUnion(b)
        #expect(u.count == 300)
        #expect(EventSet(size: 1000, bytes: u.bytes) == u)
        #expect(EventSet(size: 900, bytes: u.bytes) == nil)
        var outside = EventSet(size: 10)
        #expect(!outside.insert(10) && !outside.insert(-1))
        // A stored set with a bit past its size is refused, not read.
        #expect(EventSet(size: 3, words: [0b1000]) == nil)
    }

    @Test func limitsNameWhatIsBroken() {
        let limits = RoundLimits(retention: 0.05, cpuPerEvent: 0.001, bytesPerEvent: 2)
        let fine = SelectionTestResult(selection: "a", eventsIn: 1000, selected: 10, cpuSeconds: 0.1, outputBytes: 240, events: EventSet(size: 1000))
        #expect(limits.failure(of: fine) == nil)
        let greedy = SelectionTestResult(selection: "b", eventsIn: 1000, selected: 120, cpuSeconds: 2, outputBytes: 2880, events: EventSet(size: 1000))
        #expect(
            limits.failure(of: greedy)
                == "retention 12.0 % > limit 5.00 %; CPU 2.00 ms per event > limit 1.00 ms; output 2.88 bytes per input event > limit 2.00")
        let crashed = SelectionTestResult(
            selection: "c", eventsIn: 1000, selected: 0, cpuSeconds: 0, outputBytes: 0, failure: "crashed on the sample (signal 6)",
            events: EventSet(size: 1000))
        #expect(limits.failure(of: crashed) == "crashed on the sample (signal 6)")
        #expect(throws: ConveyorError.self) { try RoundLimits(minShare: 0).validate() }
        #expect(throws: ConveyorError.self) { try RoundLimits(maxStreams: 0).validate() }
    }

    @Test func selectionsAreChecked() {
        #expect(throws: ConveyorError.self) { try Selection(name: "9lives", group: "g", coordinator: "c", command: "x", version: "v").validate() }
        #expect(throws: ConveyorError.self) { try Selection(name: "a", group: "g", coordinator: "c", command: "x", version: "v", prescale: 0).validate() }
        #expect(throws: ConveyorError.self) {
            try Selection(name: "a", group: "g", coordinator: "c", command: "x", version: "v", expectedRetention: 1.5).validate()
        }
        #expect(Selection(name: "a", group: "g", coordinator: "c", command: "  prog --x 1", version: "v").program == "prog")
    }

    /// Two families of overlapping selections and a random one: the automatic grouping puts each
    /// family in one stream and random events apart, and writes fewer events than one stream each.
    @Test func automaticGroupingFollowsOverlapsWithinTheRules() throws {
        let size = 10_000
        let members = [
            StreamGrouping.Member(name: "d0_kpi", group: "charm", events: Self.set(size, 0..<400)),
            StreamGrouping.Member(name: "d0_kpipi0", group: "charm", events: Self.set(size, 200..<500)),
            StreamGrouping.Member(name: "jpsi_mumu", group: "charmonium", events: Self.set(size, 5000..<5300)),
            StreamGrouping.Member(name: "jpsi_ee", group: "charmonium", events: Self.set(size, 5100..<5400)),
            StreamGrouping.Member(name: "random", group: "lumi", random: true, events: Self.set(size, stride(from: 0, to: size, by: 100))),
        ]
        let limits = RoundLimits(maxStreams: 5)
        let grouping = StreamGrouping.automatic(members, limits: limits)
        #expect(grouping.streams.map(\.selections) == [["d0_kpi", "d0_kpipi0"], ["jpsi_ee", "jpsi_mumu"], ["random"]])
        #expect(grouping.streams.map(\.name) == ["charm", "charmonium", "random"])
        let figures = try grouping.evaluate(members, limits: limits)
        #expect(figures.warnings.isEmpty)
        // Only the random stream's events that physics also keeps are written twice.
        #expect(figures.writtenEvents - figures.distinctEvents == 9)
        let apart = StreamGrouping(streams: members.map { .init(name: $0.name, selections: [$0.name]) })
        #expect(try apart.evaluate(members, limits: limits).writtenEvents > figures.writtenEvents)

        // At most 2 streams: one for physics, one for random events, as long as the 10 % rule holds.
        let two = StreamGrouping.automatic(members, limits: RoundLimits(maxStreams: 2))
        #expect(two.streams.count == 2)
        #expect(try two.evaluate(members, limits: RoundLimits(maxStreams: 2)).warnings.isEmpty)
    }

    @Test func theTenPercentRuleIsKeptAndHandEditsAreChecked() throws {
        let size = 10_000
        let members = [
            StreamGrouping.Member(name: "big", group: "b", events: Self.set(size, 0..<2000)),
            StreamGrouping.Member(name: "tiny", group: "b", events: Self.set(size, 3000..<3050)),
        ]
        // Merging would leave tiny at 2.4 % of the stream: never done automatically, even to reach one stream.
        let auto = StreamGrouping.automatic(members, limits: RoundLimits(maxStreams: 1))
        #expect(auto.streams.count == 2)
        let merged = StreamGrouping(streams: [.init(name: "all", selections: ["big", "tiny"])])
        let figures = try merged.evaluate(members, limits: RoundLimits())
        #expect(figures.warnings == ["tiny is 2.44 % of stream all's events (rule: at least 10.0 %)"])
        #expect(throws: ConveyorError.self) { try StreamGrouping(streams: [.init(name: "a", selections: ["big"])]).evaluate(members, limits: RoundLimits()) }
        #expect(throws: ConveyorError.self) {
            try StreamGrouping(streams: [.init(name: "a", selections: ["big", "tiny"]), .init(name: "b", selections: ["tiny"])]).evaluate(
                members, limits: RoundLimits())
        }
        let withRandom = members + [StreamGrouping.Member(name: "rnd", group: "l", random: true, events: Self.set(size, [1, 2]))]
        #expect(throws: ConveyorError.self) {
            try StreamGrouping(streams: [.init(name: "a", selections: ["big", "tiny", "rnd"])]).evaluate(withRandom, limits: RoundLimits())
        }
    }

    /// When streams must be merged without saving anything (more than the round allows), a merge
    /// within a physics group is preferred to one across groups.
    @Test func forcedMergesStayWithinAGroup() {
        let size = 10_000
        let members = [
            StreamGrouping.Member(name: "jpsi", group: "charmonium", events: Self.set(size, 0..<100)),
            StreamGrouping.Member(name: "bhabha", group: "qed", events: Self.set(size, 1000..<1100)),
            StreamGrouping.Member(name: "gamma", group: "qed", events: Self.set(size, 2000..<2150)),
        ]
        let grouping = StreamGrouping.automatic(members, limits: RoundLimits(maxStreams: 2))
        #expect(grouping.streams.map(\.selections) == [["bhabha", "gamma"], ["jpsi"]], "\(grouping)")
    }

    /// Families of overlapping selections (seed 003's 900 are measured in Benchmarks/): each family
    /// becomes one stream, within the rules.
    @Test func familiesOfSelectionsBecomeStreams() throws {
        var random = SystemRandomNumberGenerator()
        let size = 20_000
        var members: [StreamGrouping.Member] = []
        for family in 0..<10 {
            // Each family selects from its own events (one decay mode, say); its members overlap heavily.
            let base = Array((family * 2000..<(family + 1) * 2000).shuffled(using: &random).prefix(600))
            for k in 0..<10 {
                members.append(.init(name: "f\(family)_\(k)", group: "family\(family)", events: Self.set(size, base.prefix(300 + 10 * k))))
            }
        }
        let limits = RoundLimits(maxStreams: 10)
        let grouping = StreamGrouping.automatic(members, limits: limits)
        let figures = try grouping.evaluate(members, limits: limits)
        #expect(figures.warnings.isEmpty)
        #expect(grouping.streams.count == 10)
        #expect(grouping.streams.allSatisfy { Set($0.selections.map { $0.prefix(while: { $0 != "_" }) }).count == 1 })
        #expect(Set(grouping.streams.flatMap(\.selections)).count == 100)
    }

    /// An HLT skim's files carry the luminosity of the data they were selected from: the run's,
    /// not a share scaled by the events the skim kept (the demo's `hlt_hadron` said 0.72 /pb of 150).
    @Test func skimsCarryTheirRunsLuminosity() {
        let run = ExpRun(exp: 8, run: 1)
        var runs = LuminosityAccount.Runs()
        runs.runs[run] = (10, 20_000)
        runs.streams[.init(run: run, stream: "all")] = (2, 20_000)
        runs.streams[.init(run: run, stream: "hlt_hadron")] = (2, 100)
        let skim = LuminosityAccount(listedEvents: 100, rawAncestors: [(run, "hlt_hadron", 50), (run, "hlt_hadron", 50)], runs: runs)
        #expect(skim.luminosity == 10)
        #expect(skim.partlyCoveredRuns.isEmpty)
        let half = LuminosityAccount(listedEvents: 50, rawAncestors: [(run, "hlt_hadron", 50)], runs: runs)
        #expect(half.luminosity == 5)
        #expect(half.partlyCoveredRuns == [run])
        // Two streams of one run are the same collisions: counted once, with the fuller stream.
        let both = LuminosityAccount(listedEvents: 0, rawAncestors: [(run, "hlt_hadron", 50), (run, "all", 20_000)], runs: runs)
        #expect(both.luminosity == 10)
    }
}
