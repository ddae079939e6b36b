import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

let manager = Actor(name: "mona", role: .manager)
let expert = Actor(name: "erik", role: .expert)
let viewer = Actor(name: "vera", role: .viewer)

/// The handshake through its capability, on both databases: days of data taking on a simulated
/// clock, appends to synchronised tags against the FCSR, switches and shifters, and appends
/// racing the cycles on the real clock.
@Suite("PromptReco handshake")
struct PromptRecoTests {
    static let t0 = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
    static func at(hours: Double, from origin: Timestamp = t0) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: origin.microsecondsSinceEpoch + Int64(hours * 3_600_000_000))
    }
    static func run(_ n: Int) -> ExpRun { ExpRun(exp: 8, run: n) }

    static func register(_ store: Store, runs: [(Int, start: Timestamp, end: Timestamp?)]) async throws {
        try await store.write { session in
            for (n, start, end) in runs {
                _ = try await session.upsertRun(RunRecord(run: run(n), start: start, stop: end, state: end == nil ? .taking : .ended), at: start, by: "daq")
            }
        }
    }

    /// A tag holding BeamSpot from 0,0 on, with a synchronisation type, OPEN or RUNNING.
    static func tag(_ name: String, _ sync: SynchronisationType, running: Bool, _ conditions: ConditionsDatabase) async throws {
        try await conditions.createTag(named: name, type: .data, by: expert)
        try await conditions.upload(
            name: "BeamSpot", bytes: Data("base \(name)".utf8), intoTag: name, iov: try IntervalOfValidity(parsing: "0,0,-1,-1"), by: expert)
        if running { try await conditions.setState(ofTag: name, to: .running, by: manager) }
        try await conditions.setSynchronisation(ofTag: name, to: sync, by: manager)
    }

    @Test(arguments: TestBackend.available)
    func daysOfDataTakingOnASimulatedClock(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let prompt = PromptReco(store: store)
            let conditions = ConditionsDatabase(store: store)
            // Six runs of an hour; run 4 never gets its end record, its last file comes at 3.9 h.
            try await Self.register(store, runs: (1...6).map { n in (n, Self.at(hours: Double(n - 1)), n == 4 ? nil : Self.at(hours: Double(n))) })
            let file = CatalogFile(
                lfn: "/belle/raw/e0008/r00004/raw_all_0.sroot", size: 1, adler32: "00000001", sha256: String(repeating: "0", count: 64), events: 1,
                run: Self.run(4), level: .raw)
            try await store.write { _ = try await $0.registerFiles([file], at: Self.at(hours: 3.9)) }

            // Nothing is tracked before the handshake is configured.
            #expect(try await prompt.cycle(at: Self.at(hours: 1)).tracked == 0)
            await #expect(throws: ConveyorError.self, "a viewer may not configure it") {
                try await prompt.configure(PromptSettings(), trackFrom: Self.run(1), by: viewer)
            }
            await #expect(throws: ConveyorError.self, "a lock offset longer than the delay") {
                try await prompt.configure(PromptSettings(delaySeconds: 60, lockOffsetSeconds: 600), trackFrom: Self.run(1), by: manager)
            }
            try await prompt.configure(PromptSettings(closeAfterSeconds: 2 * 3_600), trackFrom: Self.run(1), by: manager)
            var cycle = try await prompt.cycle(at: Self.at(hours: 10))
            #expect(cycle.tracked == 6 && cycle.plan.locks.isEmpty)
            #expect(cycle.plan.closes.map(\.run) == [Self.run(4)], "closed 2 h after its last file")
            #expect(try await prompt.firstConditionSafeRun() == Self.run(1))

            try await Self.tag("prompt_sync", .prompt, running: true, conditions)
            try await Self.tag("pcl_sync", .pcl, running: true, conditions)
            try await Self.tag("offline_sync", .offline, running: false, conditions)

            // 47.5 h after run 1's end it is locked: the FCSR moves to run 2.
            cycle = try await prompt.cycle(at: Self.at(hours: 48.6))
            #expect(cycle.plan.locks.map(\.run) == [Self.run(1)] && cycle.plan.fcsr == Self.run(2))
            #expect(try await prompt.firstConditionSafeRun() == Self.run(2))

            // A dry run answers where an IoV would start and writes nothing.
            let dry = try await conditions.append(name: "BeamSpot", bytes: Data("x".utf8), intoTag: "prompt_sync", since: Self.run(1), dryRun: true, by: expert)
            #expect(dry.firstRun == Self.run(2) && dry.movedUp && dry.payload == nil)
            #expect(try await conditions.entries(ofTag: "prompt_sync").count == 1)
            // pcl: moved up to the FCSR; the IoV before it now ends at run 1, so no hole.
            let pcl = try await conditions.append(name: "BeamSpot", bytes: Data("pcl 1".utf8), intoTag: "pcl_sync", since: Self.run(1), by: expert)
            #expect(pcl.firstRun == Self.run(2) && pcl.closedIoV?.description == "0,0,8,1" && pcl.iov.description == "8,2,-1,-1")
            #expect(try await conditions.entries(ofTag: "pcl_sync").map(\.iov.description).sorted() == ["0,0,8,1", "8,2,-1,-1"])
            // offline: below the FCSR is refused; an explicit IoV into its OPEN tag too is moved or refused.
            await #expect(throws: ConveyorError.self) {
                try await conditions.append(name: "BeamSpot", bytes: Data("late".utf8), intoTag: "offline_sync", since: Self.run(1), by: expert)
            }
            await #expect(throws: ConveyorError.self) {
                try await conditions.upload(
                    name: "Other", bytes: Data("o".utf8), intoTag: "offline_sync", iov: try IntervalOfValidity(parsing: "8,1,8,1"), by: expert)
            }
            // An append may only add later conditions.
            await #expect(throws: ConveyorError.self) {
                try await conditions.append(name: "BeamSpot", bytes: Data("pcl 0".utf8), intoTag: "pcl_sync", since: Self.run(2), by: expert)
            }
            // A tag without a synchronisation type takes no appends.
            try await conditions.createTag(named: "plain", by: expert)
            await #expect(throws: ConveyorError.self) {
                try await conditions.append(name: "BeamSpot", bytes: Data("p".utf8), intoTag: "plain", since: Self.run(1), by: expert)
            }

            // Switches: a global stop holds every release but not the locks.
            await #expect(throws: ConveyorError.self, "a reason is required") { try await prompt.setSwitch(.global, stopped: true, reason: " ", by: manager) }
            await #expect(throws: ConveyorError.self, "an expert may not stop PromptReco") {
                try await prompt.setSwitch(.global, stopped: true, reason: "x", by: expert)
            }
            try await prompt.setSwitch(.global, stopped: true, reason: "magnet trip", by: manager)
            try await prompt.setDisposition(of: Self.run(5), to: .postponed, reason: "noisy CDC", by: expert)
            try await prompt.setDisposition(of: Self.run(6), to: .abandoned, reason: "no beam", by: expert)
            await #expect(throws: ConveyorError.self) { try await prompt.setDisposition(of: Self.run(99), to: .postponed, reason: "x", by: expert) }
            cycle = try await prompt.cycle(at: Self.at(hours: 60))
            #expect(cycle.plan.locks.map(\.run) == (2...6).map(Self.run) && cycle.plan.releases.isEmpty)
            #expect(try await prompt.firstConditionSafeRun() == Self.run(7))
            try await prompt.setSwitch(.global, stopped: false, reason: "magnet back", by: manager)
            cycle = try await prompt.cycle(at: Self.at(hours: 61))
            #expect(cycle.plan.releases.map(\.run) == (1...4).map(Self.run), "not the postponed run 5 nor the abandoned run 6")
            #expect(try await prompt.cycle(at: Self.at(hours: 62)).didWork == false)

            let detail = try await prompt.run(Self.run(4))
            let (four, events) = (detail.run, detail.events)
            #expect(four.closedAt == Self.at(hours: 3.9) && four.releasedAt == Self.at(hours: 61))
            #expect(events.map(\.stage) == ["closed", "locked", "released"])
            let status = try await prompt.status()
            #expect(status.runs.count == 6 && status.fcsr == Self.run(7) && status.switches.first?.stopped == false)
            // A prompt-synchronised running update starts no earlier than the FCSR.
            let late = try await conditions.append(name: "BeamSpot", bytes: Data("prompt 2".utf8), intoTag: "prompt_sync", since: Self.run(3), by: expert)
            #expect(late.firstRun == Self.run(7))
        }
    }

    /// Appends racing the cycles on the real clock: whatever the interleaving, no IoV appended
    /// after a run was locked starts at or before that run.
    @Test(arguments: TestBackend.available)
    func nothingIsAcceptedForALockedRunUnderConcurrentAppends(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let prompt = PromptReco(store: store)
            let conditions = ConditionsDatabase(store: store)
            let origin = Timestamp.now
            // 40 runs ending every 25 ms from now; each locks 0.3 s after its end.
            try await Self.register(
                store,
                runs: (1...40).map { n in
                    (n, Self.at(hours: Double(n - 1) * 0.025 / 3_600, from: origin), Self.at(hours: Double(n) * 0.025 / 3_600, from: origin))
                })
            try await prompt.configure(
                PromptSettings(delaySeconds: 0.6, lockOffsetSeconds: 0.3, closeAfterSeconds: 60, minimumDelaySeconds: 0.6), trackFrom: Self.run(1), by: manager)
            try await Self.tag("race", .pcl, running: true, conditions)
            // Bounded by work, not by time: the cycles go on until every run is locked and the
            // writers have appended 30 times between them (a loaded machine just takes longer).
            let progress = Progress()
            let safety = ContinuousClock.now + .seconds(120)
            let appended = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
                group.addTask {
                    while ContinuousClock.now < safety {
                        let cycle = try await prompt.cycle()
                        if cycle.plan.fcsr == Self.run(41), await progress.appends >= 30 { break }
                    }
                    await progress.finish()
                    return []
                }
                for writer in 0..<3 {
                    group.addTask {
                        var results: [AppendResult] = []
                        var since = 1
                        while await !progress.finished {
                            let bytes = Data("writer \(writer) append \(results.count)".utf8)
                            results.append(
                                try await conditions.append(name: "BeamSpot\(writer)", bytes: bytes, intoTag: "race", since: Self.run(since), by: expert))
                            since = results.last!.firstRun.run + 1
                            await progress.appended()
                        }
                        return results
                    }
                }
                var all: [AppendResult] = []
                for try await results in group { all += results }
                return all
            }
            let runs = try await prompt.status(limit: 100).runs
            let locked = runs.compactMap { run in run.lockedAt.map { (run.run, $0) } }
            #expect(locked.count == 40, "the cycles locked every run while the appends went on: \(locked.count)")
            #expect(appended.count >= 30 && appended.contains { $0.movedUp }, "\(appended.count) appends")
            for result in appended {
                let committed = try #require(result.payload?.createdAt)
                for (run, lockedAt) in locked where lockedAt < committed {
                    #expect(result.firstRun > run, "\(result.name) from \(result.firstRun) appended after \(run) was locked")
                }
            }
        }
    }
}

/// How far the race has got, shared by its tasks.
actor Progress {
    private(set) var appends = 0
    private(set) var finished = false
    func appended() { appends += 1 }
    func finish() { finished = true }
}
