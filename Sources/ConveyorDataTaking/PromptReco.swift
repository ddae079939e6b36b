import ConveyorCore
import ConveyorStore

/// PromptReco's handshake with the conditions, as CMS Tier-0 runs it and without its weak points:
/// each ``cycle(at:)`` closes runs that lost their end record, locks runs in strict order,
/// computes the first condition-safe run (FCSR) in the same transaction, and releases runs that
/// are due; the FCSR it serves is exactly the one its locks imply, not a cached copy.
///
/// ```swift
/// let prompt = PromptReco(store: store)
/// try await prompt.configure(PromptSettings(), trackFrom: ExpRun(exp: 8, run: 1), by: mona)
/// let result = try await prompt.cycle(at: .now)
/// result.plan.locks      // the runs locked now, in order
/// try await prompt.firstConditionSafeRun()   // 8:14
/// ```
public struct PromptReco: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// What one cycle did.
    public struct CycleResult: Sendable {
        public var tracked: Int
        public var plan: PromptHandshake.Plan
        public var didWork: Bool { tracked > 0 || !plan.closes.isEmpty || !plan.locks.isEmpty || !plan.releases.isEmpty }
    }

    /// The handshake as it stands: settings, FCSR, switches in force and the newest runs.
    public struct Status: Sendable, Codable {
        public var settings: PromptSettings
        public var trackFrom: ExpRun?
        public var fcsr: ExpRun?
        public var cycledAt: Timestamp?
        public var switches: [PromptSwitch]
        public var runs: [PromptRun]
    }

    /// Sets the delays and where tracking starts (nil stops tracking new runs). Needs `manager`.
    public func configure(_ settings: PromptSettings, trackFrom: ExpRun?, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "configuring the PromptReco handshake")
        try settings.validate()
        try await store.write { session in
            _ = try await session.promptHandshake(forUpdate: true)
            try await session.savePromptSettings(settings, trackFrom: trackFrom)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "prompt.configure", subjectKind: "prompt", subject: "handshake",
                    detail:
                        "delay \(settings.delaySeconds) s, lock offset \(settings.lockOffsetSeconds) s, close after \(settings.closeAfterSeconds) s, minimum delay \(settings.minimumDelaySeconds) s, tracking from \(trackFrom?.description ?? "nowhere")"
                ))
        }
    }

    /// One cycle, all in one transaction under the handshake row's lock: uploads to synchronised
    /// tags wait for it, then see its FCSR. `now` is a simulated clock's moment; without it the
    /// clock is read once the lock is held, so a lock's time orders it against every upload.
    @discardableResult
    public func cycle(at moment: Timestamp? = nil, actor: String = "prompt-handshake") async throws(ConveyorError) -> CycleResult {
        // While the handshake is off a cycle only reads: a scheduler does not queue a write every round for nothing.
        let off = try await store.read { try await $0.promptHandshake() }
        if off.trackFrom == nil { return CycleResult(tracked: 0, plan: PromptHandshake.Plan(fcsr: off.fcsr)) }
        return try await store.write { session in
            let handshake = try await session.promptHandshake(forUpdate: true)
            let now = moment ?? .now
            guard let from = handshake.trackFrom else { return CycleResult(tracked: 0, plan: PromptHandshake.Plan(fcsr: handshake.fcsr)) }
            let tracked = try await session.trackNewPromptRuns(from: from, at: now)
            let runs = try await session.activePromptRuns()
            let plan = PromptHandshake.plan(
                runs: runs, highestLocked: try await session.highestLockedPromptRun(), settings: handshake.settings,
                switches: PromptSwitches(try await session.promptSwitches()), now: now)
            try await session.applyPromptPlan(plan, actor: actor)
            try await session.setFirstConditionSafeRun(plan.fcsr, at: now)
            return CycleResult(tracked: tracked, plan: plan)
        }
    }

    /// The first condition-safe run as the last cycle's locks make it (nil while nothing is tracked).
    public func firstConditionSafeRun() async throws(ConveyorError) -> ExpRun? {
        try await store.read { try await $0.promptHandshake().fcsr }
    }

    public func status(limit: Int = 100) async throws(ConveyorError) -> Status {
        try await store.read { session in
            let handshake = try await session.promptHandshake()
            return Status(
                settings: handshake.settings, trackFrom: handshake.trackFrom, fcsr: handshake.fcsr, cycledAt: handshake.cycledAt,
                switches: Array(PromptSwitches(try await session.promptSwitches()).current.values).sorted { $0.at < $1.at },
                runs: try await session.promptRuns(limit: min(max(limit, 1), 10_000)))
        }
    }

    /// One run with its handshake events.
    public func run(_ run: ExpRun) async throws(ConveyorError) -> PromptRunDetail {
        try await store.read { session in
            guard let found = try await session.promptRuns(run: run).first else {
                throw ConveyorError.notFound("run \(run) is not tracked by the PromptReco handshake")
            }
            return PromptRunDetail(run: found, events: try await session.promptRunEvents(run))
        }
    }

    /// Stops or resumes PromptReco release, for every run or one. Needs `manager`; a reason is required.
    public func setSwitch(_ scope: PromptSwitch.Scope, stopped: Bool, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "\(stopped ? "stopping" : "resuming") PromptReco")
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .invalidInput("say why PromptReco is \(stopped ? "stopped" : "resumed") (--reason)") }
        try await store.write { session in
            let now = Timestamp.now
            try await session.appendPromptSwitch(PromptSwitch(scope: scope, stopped: stopped, reason: reason, actor: actor.name, at: now))
            if case .run(let run) = scope, try await session.promptRuns(run: run).first != nil {
                try await session.appendPromptRunEvent(run, stage: stopped ? "stopped" : "resumed", reason: reason, actor: actor.name, at: now)
            }
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: stopped ? "prompt.stop" : "prompt.resume", subjectKind: "prompt", subject: scope.description, detail: reason)
            )
        }
    }

    /// A shifter's decision on a run found bad: postponed (held until set back to normal) or
    /// abandoned (never released). Needs `expert`; a reason is required.
    public func setDisposition(of run: ExpRun, to disposition: PromptRun.Disposition, reason: String, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "postponing or abandoning a run's PromptReco")
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .invalidInput("say why run \(run) is \(disposition) (--reason)") }
        try await store.write { session in
            guard let found = try await session.promptRuns(run: run).first else {
                throw ConveyorError.notFound("run \(run) is not tracked by the PromptReco handshake")
            }
            guard found.releasedAt == nil else { throw ConveyorError.conflict("run \(run)'s PromptReco was released at \(found.releasedAt!.iso8601) already") }
            guard found.disposition != .abandoned else { throw ConveyorError.conflict("run \(run) was abandoned: \(found.dispositionReason ?? "")") }
            let now = Timestamp.now
            try await session.setPromptDisposition(run, to: disposition, reason: reason)
            try await session.appendPromptRunEvent(run, stage: disposition.rawValue, reason: reason, actor: actor.name, at: now)
            try await session.appendAudit(
                AuditRecord(at: now, actor: actor, action: "prompt.\(disposition)", subjectKind: "run", subject: run.description, detail: reason))
        }
    }

    /// Records that every calibration of a run is done, so it may be released early. Needs `expert`.
    public func markCalibrated(_ run: ExpRun, at moment: Timestamp = .now, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.expert, to: "marking a run's calibrations done")
        try await store.write { session in
            guard try await session.promptRuns(run: run).first != nil else {
                throw ConveyorError.notFound("run \(run) is not tracked by the PromptReco handshake")
            }
            try await session.setPromptCalibrated(run, at: moment)
            try await session.appendPromptRunEvent(run, stage: "calibrated", reason: "every calibration of the run is done", actor: actor.name, at: moment)
        }
    }
}
