import ConveyorCore
import Testing

/// The handshake's rules on a simulated clock: days of data taking decided in microseconds.
@Suite("PromptReco handshake rules")
struct PromptHandshakeRulesTests {
    static let t0 = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
    static func at(hours: Double) -> Timestamp { Timestamp(microsecondsSinceEpoch: t0.microsecondsSinceEpoch + Int64(hours * 3_600_000_000)) }
    static func run(_ n: Int, start: Double, end: Double?) -> PromptRun {
        PromptRun(run: ExpRun(exp: 8, run: n), start: at(hours: start), end: end.map { at(hours: $0) })
    }

    /// Applies a plan to the runs the way the store does.
    static func apply(_ plan: PromptHandshake.Plan, to runs: inout [PromptRun]) {
        for i in runs.indices {
            if let close = plan.closes.first(where: { $0.run == runs[i].run }) { runs[i].closedAt = close.end }
            if let lock = plan.locks.first(where: { $0.run == runs[i].run }) { runs[i].lockedAt = lock.at }
            if let release = plan.releases.first(where: { $0.run == runs[i].run }) { runs[i].releasedAt = release.at }
        }
    }

    @Test func runsLockInStrictOrderAndTheFCSRFollows() {
        // Five runs of one hour each, one after the other.
        var runs = (1...5).map { Self.run($0, start: Double($0 - 1), end: Double($0)) }
        let settings = PromptSettings()
        var plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 10))
        #expect(plan.locks.isEmpty && plan.fcsr == ExpRun(exp: 8, run: 1))
        // 47.5 h after run 1's end it locks; run 2 waits for its own time.
        plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 48.5))
        #expect(plan.locks.map(\.run.run) == [1] && plan.releases.isEmpty && plan.fcsr == ExpRun(exp: 8, run: 2))
        #expect(plan.waiting?.contains("8:2 locks at") == true)
        Self.apply(plan, to: &runs)
        plan = PromptHandshake.plan(runs: runs, highestLocked: ExpRun(exp: 8, run: 1), settings: settings, switches: .init([]), now: Self.at(hours: 49))
        #expect(plan.releases.map(\.run.run) == [1], "released 48 h after its end")
        // Days later every run is locked and released; the FCSR is the run after the last.
        plan = PromptHandshake.plan(runs: runs, highestLocked: ExpRun(exp: 8, run: 1), settings: settings, switches: .init([]), now: Self.at(hours: 100))
        #expect(plan.locks.map(\.run.run) == [2, 3, 4, 5] && plan.fcsr == ExpRun(exp: 8, run: 6))
    }

    @Test func aRunWithoutAnEndRecordHoldsUpLaterRunsOnlyUntilItIsClosed() {
        var runs = [Self.run(1, start: 0, end: nil), Self.run(2, start: 1, end: 2)]
        runs[0].lastFileAt = Self.at(hours: 0.9)
        var settings = PromptSettings()
        settings.closeAfterSeconds = 3_600
        // Before the close-after time run 1 is open and run 2 may not lock, however old it is.
        var plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 1.5))
        #expect(plan.closes.isEmpty && plan.locks.isEmpty && plan.waiting?.contains("still open") == true)
        // An hour after its last file it is closed at that file; both then lock in order when due.
        plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 1.95))
        #expect(plan.closes.map(\.run.run) == [1] && plan.closes[0].end == Self.at(hours: 0.9))
        #expect(plan.closes[0].reason.contains("no end record 1 h after its last file"))
        Self.apply(plan, to: &runs)
        plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 50))
        #expect(plan.locks.map(\.run.run) == [1, 2] && plan.releases.map(\.run.run) == [1, 2])
    }

    @Test func aCalibratedRunIsReleasedEarlyButNeverLockedBeforeTheRunsBeforeIt() {
        var runs = [Self.run(1, start: 0, end: 1), Self.run(2, start: 1, end: 2)]
        runs[1].calibratedAt = Self.at(hours: 3)
        let settings = PromptSettings()  // early after 8 h
        var plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 11))
        #expect(plan.locks.isEmpty, "run 1 is not calibrated: run 2 may not lock before it")
        runs[0].calibratedAt = Self.at(hours: 4)
        plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: settings, switches: .init([]), now: Self.at(hours: 11))
        #expect(plan.locks.map(\.run.run) == [1, 2] && plan.releases.map(\.run.run) == [1, 2])
        #expect(plan.releases[0].reason.hasPrefix("early"))
    }

    @Test func switchesAndShiftersHoldReleasesButNotLocks() {
        var runs = [Self.run(1, start: 0, end: 1), Self.run(2, start: 1, end: 2), Self.run(3, start: 2, end: 3)]
        runs[0].disposition = .postponed
        runs[1].disposition = .abandoned
        let stop = PromptSwitch(scope: .run(ExpRun(exp: 8, run: 3)), stopped: true, reason: "beam spot moved", actor: "mona", at: Self.t0)
        var plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: .init(), switches: .init([stop]), now: Self.at(hours: 60))
        #expect(plan.locks.map(\.run.run) == [1, 2, 3], "a held run still locks in its turn, an abandoned one does not block")
        #expect(plan.releases.isEmpty)
        let resumed = PromptSwitch(scope: .run(ExpRun(exp: 8, run: 3)), stopped: false, reason: "fixed", actor: "mona", at: Self.t0)
        let global = PromptSwitch(scope: .global, stopped: true, reason: "magnet trip", actor: "mona", at: Self.t0)
        plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: .init(), switches: .init([stop, resumed]), now: Self.at(hours: 60))
        #expect(plan.releases.map(\.run.run) == [3])
        let switches = PromptSwitches([stop, resumed, global])
        #expect(switches.stopReason(for: ExpRun(exp: 8, run: 3))?.contains("magnet trip") == true)
        plan = PromptHandshake.plan(runs: runs, highestLocked: nil, settings: .init(), switches: switches, now: Self.at(hours: 60))
        #expect(plan.releases.isEmpty)
    }

    @Test func synchronisationTypesDecideWhereAnIoVStarts() throws {
        let fcsr = ExpRun(exp: 8, run: 14), online = ExpRun(exp: 8, run: 20), early = ExpRun(exp: 8, run: 10), late = ExpRun(exp: 8, run: 30)
        #expect(throws: ConveyorError.self) { try SynchronisationType.offline.firstRun(requested: early, fcsr: fcsr, lastOnlineRun: online) }
        #expect(try SynchronisationType.offline.firstRun(requested: late, fcsr: fcsr, lastOnlineRun: online).run == late)
        #expect(try SynchronisationType.prompt.firstRun(requested: early, fcsr: fcsr, lastOnlineRun: online).run == fcsr)
        let pcl = try SynchronisationType.pcl.firstRun(requested: early, fcsr: fcsr, lastOnlineRun: online)
        #expect(pcl.run == fcsr && pcl.movedUp)
        #expect(try SynchronisationType.pcl.firstRun(requested: late, fcsr: fcsr, lastOnlineRun: online).run == late)
        #expect(try SynchronisationType.express.firstRun(requested: early, fcsr: fcsr, lastOnlineRun: online).run == ExpRun(exp: 8, run: 21))
        #expect(try SynchronisationType.hlt.firstRun(requested: late, fcsr: fcsr, lastOnlineRun: online).run == late)
        for free in [SynchronisationType.mc, .runmc, .any] { #expect(try free.firstRun(requested: early, fcsr: fcsr, lastOnlineRun: online).run == early) }
        #expect(try SynchronisationType.prompt.firstRun(requested: early, fcsr: nil, lastOnlineRun: nil).run == early, "nothing tracked: no lock to respect")
    }

    @Test func settingsAreChecked() throws {
        #expect(throws: ConveyorError.self) { try PromptSettings(delaySeconds: 60, lockOffsetSeconds: 120).validate() }
        #expect(throws: ConveyorError.self) { try PromptSettings(delaySeconds: 60, minimumDelaySeconds: 120).validate() }
        #expect(throws: ConveyorError.self) { try PromptSettings(delaySeconds: -1).validate() }
        #expect(throws: ConveyorError.self) { try PromptSwitch.Scope(parsing: "stream") }
        #expect(try PromptSwitch.Scope(parsing: "run:8:12") == .run(ExpRun(exp: 8, run: 12)))
    }
}
