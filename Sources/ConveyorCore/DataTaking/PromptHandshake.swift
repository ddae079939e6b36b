/// The PromptReco handshake with the conditions (CMS Tier-0), decided without I/O: which runs to
/// close, lock and release at `now`, and the first condition-safe run (FCSR) after it.
///
/// - A run is **locked** `lockOffset` before its release, in strict run order: a run is never
///   locked while an earlier one is not. No later conditions may change for a locked run.
/// - The **FCSR** is the lowest unlocked run above the highest locked one, or the run after the
///   highest locked one when every run is locked.
/// - A run is **released** `delay` after its end, or after `minimumDelay` once every calibration
///   of it is done (then it is locked at that moment), unless a switch stops it or a shifter
///   postponed or abandoned it.
/// - Unlike CMS, a run without an end record does not block later runs for ever: after
///   `closeAfter` without a new file it is closed at its last file, with the reason recorded.
///
/// ```swift
/// let plan = PromptHandshake.plan(runs: active, highestLocked: nil, settings: .init(), switches: switches, now: .now)
/// plan.locks.map(\.run)    // [8:1, 8:2]: in order, each 47.5 h after its end
/// plan.fcsr                 // 8:3
/// ```
public enum PromptHandshake {
    public struct Step: Sendable, Equatable {
        public var run: ExpRun
        public var at: Timestamp
        public var reason: String
        /// Closes: the end the run is given (its last file).
        public var end: Timestamp? = nil
    }

    public struct Plan: Sendable, Equatable {
        public var closes: [Step] = []
        public var locks: [Step] = []
        public var releases: [Step] = []
        /// The first condition-safe run after the plan, nil while no run is tracked.
        public var fcsr: ExpRun?
        /// Why the first run not yet locked is not (the head of the line), if any.
        public var waiting: String?

        public init(fcsr: ExpRun? = nil) {
            self.fcsr = fcsr
        }
    }

    /// - Parameters:
    ///   - runs: the runs not yet released nor abandoned (active), any order.
    ///   - highestLocked: the highest run locked before (released runs included).
    public static func plan(runs: [PromptRun], highestLocked: ExpRun?, settings: PromptSettings, switches: PromptSwitches, now: Timestamp) -> Plan {
        var plan = Plan()
        var runs = runs.sorted { $0.run < $1.run }
        func after(_ t: Timestamp, _ seconds: Double) -> Timestamp { t.adding(seconds: seconds) }
        func duration(_ seconds: Double) -> String {
            seconds >= 3_600 && seconds.truncatingRemainder(dividingBy: 3_600) == 0
                ? "\(Int(seconds / 3_600)) h"
                : seconds >= 60 && seconds.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(seconds / 60)) min" : "\(seconds.formatted()) s"
        }

        // Runs without an end record are closed at their last file once it is old enough.
        for i in runs.indices where runs[i].effectiveEnd == nil && runs[i].disposition != .abandoned {
            guard let last = [runs[i].start, runs[i].lastFileAt].compactMap({ $0 }).max() else { continue }
            if after(last, settings.closeAfterSeconds) <= now {
                let reason = "no end record \(duration(settings.closeAfterSeconds)) after its last file: closed at its last file (\(last.iso8601))"
                runs[i].closedAt = last
                runs[i].closeReason = reason
                plan.closes.append(Step(run: runs[i].run, at: now, reason: reason, end: last))
            }
        }

        // Locks, strictly in run order: the first run that may not be locked stops the pass.
        var highest = highestLocked
        for i in runs.indices where runs[i].lockedAt == nil {
            let run = runs[i]
            if run.disposition == .abandoned {
                runs[i].lockedAt = now
                plan.locks.append(Step(run: run.run, at: now, reason: "abandoned by a shifter: no longer holds up later runs"))
                highest = max(highest ?? run.run, run.run)
                continue
            }
            guard let end = run.effectiveEnd else {
                plan.waiting = "\(run.run) is still open (no end record; closed after \(duration(settings.closeAfterSeconds)) without a new file)"
                break
            }
            let lockDue = after(end, settings.delaySeconds - settings.lockOffsetSeconds)
            let early = run.calibratedAt != nil && after(end, settings.minimumDelaySeconds) <= now
            guard lockDue <= now || early else {
                plan.waiting =
                    "\(run.run) locks at \(lockDue.iso8601)\(run.calibratedAt == nil ? "" : " or at \(after(end, settings.minimumDelaySeconds).iso8601) now that its calibrations are done")"
                break
            }
            runs[i].lockedAt = now
            plan.locks.append(
                Step(
                    run: run.run, at: now,
                    reason: lockDue <= now
                        ? "\(duration(settings.lockOffsetSeconds)) before its release \(duration(settings.delaySeconds)) after its end"
                        : "its calibrations are done and \(duration(settings.minimumDelaySeconds)) have passed since its end: released early"))
            highest = max(highest ?? run.run, run.run)
        }
        if let highest {
            plan.fcsr = runs.first(where: { $0.lockedAt == nil && $0.run > highest })?.run ?? highest.next
        } else {
            plan.fcsr = runs.first?.run
        }

        // Releases: locked, due, not held by a shifter or a switch.
        for run in runs where run.lockedAt != nil && run.releasedAt == nil && run.disposition == .normal {
            guard let end = run.effectiveEnd else { continue }
            if switches.stopReason(for: run.run) != nil { continue }
            if after(end, settings.delaySeconds) <= now {
                plan.releases.append(Step(run: run.run, at: now, reason: "\(duration(settings.delaySeconds)) after its end"))
            } else if run.calibratedAt != nil, after(end, settings.minimumDelaySeconds) <= now {
                plan.releases.append(
                    Step(run: run.run, at: now, reason: "early: every calibration done, \(duration(settings.minimumDelaySeconds)) after its end"))
            }
        }
        return plan
    }
}
