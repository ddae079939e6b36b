import ConveyorCore
import ConveyorStore
import Foundation
import Logging
import Synchronization

/// The data-management engine that needs nothing but Conveyor: rules, locks and the transfer
/// queue in Conveyor's database, copies made by each endpoint's command, a tape's recall before
/// its copy, and a reaper that deletes deletable copies when an endpoint runs short of space.
///
/// One process runs its cycles (the scheduler's, or `conveyor dm run`); each cycle reads what
/// changed (rules marked for evaluation, copies due), not every replica there is.
///
/// ```swift
/// let engine = EmbeddedEngine(store: store)
/// let report = try await engine.cycle(at: .now)    // copies made, failed, deleted
/// ```
public struct EmbeddedEngine: DataManagementEngine {
    public let name = "embedded"
    let store: Store
    public let backoff: TransferBackoff
    let logger: Logger
    let reaping = ReapSchedule()

    public init(store: Store, backoff: TransferBackoff = TransferBackoff(), logger: Logger = Logger(label: "conveyor.dm")) {
        self.store = store
        self.backoff = backoff
        self.logger = logger
    }

    public func add(_ rule: ReplicationRule, by actor: Actor) async throws(ConveyorError) -> ReplicationRule {
        try await store.write { session in try await DataManagement.addRule(rule, in: session, by: actor, at: rule.createdAt) }
    }

    public func end(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> Int64 {
        try await store.write { session in
            guard let rule = try await session.rule(id: id) else { throw ConveyorError.notFound("no rule \(id)") }
            let freed = try await session.endRule(id, at: .now)
            try await session.appendAudit(
                AuditRecord(actor: actor, action: "rule.delete", subjectKind: "rule", subject: String(id), detail: "\(rule.target) on \(rule.expression)"))
            return freed
        }
    }

    /// Creates the locks (and queued copies) for the files of a rule that have none yet.
    static func evaluate(_ rule: ReplicationRule, in session: StoreSession, at time: Timestamp) async throws {
        let files = try await session.targetFiles(rule.target)
        let locked = try await session.lockedFiles(rule: rule.id)
        let fresh = files.filter { !locked.contains($0.id) }
        // An expression that no longer matches is an error even when nothing is new.
        let plan = try await RulePlanner.plan(rule, files: fresh, in: session)
        // A dataset placed whole on the same endpoints (the usual case): set-based statements, not a row per lock.
        let chosen = Set(plan.placement.values.map { $0.sorted() })
        if case .dataset(let name) = rule.target, fresh.count > 100, chosen.count == 1, let names = chosen.first, plan.placement.count == fresh.count {
            try await session.insertLocks(
                rule: rule.id, dataset: name, on: plan.candidates.filter { names.contains($0.name) }, priority: rule.priority, at: time)
            return
        }
        var locks: [StoreSession.NewLock] = []
        for file in fresh {
            for endpoint in plan.placement[file.id] ?? [] {
                locks.append(.init(file: file.id, endpoint: endpoint, bytes: file.size, present: plan.holders[file.id]?.contains(endpoint) ?? false))
            }
        }
        guard !locks.isEmpty else { return }
        try await session.insertLocks(locks, rule: rule.id, priority: rule.priority, at: time)
    }

    public func cycle(at time: Timestamp) async throws(ConveyorError) -> DataManagementCycle {
        var report = DataManagementCycle()
        // Rules whose lifetime ended, and staging pins of requests that ended.
        let ending = try await store.read { try await $0.rulesToEnd(at: time) }
        for id in ending {
            try await store.write { session in
                try await session.endRule(id, at: time)
                try await session.appendAudit(
                    AuditRecord(actor: Self.engineActor, action: "rule.end", subjectKind: "rule", subject: String(id), detail: "lifetime over or request ended")
                )
            }
            report.rulesEnded += 1
        }
        // Rules whose data changed.
        let marked = try await store.read { try await $0.rules(needingEvaluation: true, limit: 100) }
        for rule in marked {
            do {
                try await store.write { session in
                    try await Self.evaluate(rule, in: session, at: time)
                    try await session.finishEvaluation(rule: rule.id, error: nil, at: time)
                }
            } catch {
                try await store.write { try await $0.finishEvaluation(rule: rule.id, error: error.message, at: time) }
            }
            report.rulesEvaluated += 1
        }
        try await copy(at: time, into: &report)
        // The reaper sums usage over every replica: it runs when this cycle changed something or once a minute.
        if report.didWork || reaping.isDue(at: time) {
            try await reap(into: &report)
            reaping.ran(at: time)
        }
        report.copiesWaiting = try await store.read { try await $0.queuedTransferCount() }
        return report
    }

    static let engineActor = Actor(name: "conveyor-dm", role: .manager)
}

/// When the reaper last looked at the endpoints' usage.
final class ReapSchedule: Sendable {
    private let last = Mutex<Timestamp?>(nil)
    static let interval: Int64 = 60_000_000

    func isDue(at time: Timestamp) -> Bool {
        last.withLock { last in last.map { time.microsecondsSinceEpoch - $0.microsecondsSinceEpoch >= Self.interval || time < $0 } ?? true }
    }

    func ran(at time: Timestamp) { last.withLock { $0 = time } }
}
