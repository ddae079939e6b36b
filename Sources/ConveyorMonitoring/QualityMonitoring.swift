import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation

/// Quality monitoring: the quality program's histograms and scalars per run and processing,
/// compared with the references experts set; a detector whose variables fail gets a proposed BAD
/// flag that waits for a person (or is applied, where the experiment says so).
///
/// ```swift
/// let qm = QualityMonitoring(store: store)
/// let outcome = try await qm.record(try MonitoringFile(json: data, file: "r12.json"), processing: "express", by: quality)
/// outcome.opened.first?.detector          // "CDC"
/// try await qm.confirm(outcome.opened[0].id, comment: "HV trip seen in the slow control", by: shifter)
/// ```
public struct QualityMonitoring: Sendable {
    public let store: Store

    /// Who stands for the monitoring in quality events it applies itself.
    public static let monitoringActor = Actor(name: "monitoring", role: .expert)

    public init(store: Store) {
        self.store = store
    }

    /// What storing one file did.
    public struct Outcome: Codable, Sendable, Equatable {
        public var run: ExpRun
        public var processing: String
        public var version: Int
        public var variables: Int
        public var comparisons: [VariableComparison]
        /// Proposals this opened (open, or applied where the experiment applies them).
        public var opened: [QualityProposal]
        public var withdrawn: Int
    }

    /// Stores a monitoring file as the next version of its run's values in the processing, then
    /// compares the run and proposes flags. Needs `expert`; the run must be registered.
    public func record(_ file: MonitoringFile, processing: String?, by actor: Actor) async throws(ConveyorError) -> Outcome {
        try actor.require(.expert, to: "storing monitoring values")
        return try await store.write { session in try await Self.record(file, processing: processing, by: actor.name, in: session) }
    }

    /// ``record(_:processing:by:)`` inside the caller's transaction (the accountant of a job's report).
    public static func record(_ file: MonitoringFile, processing: String?, by actor: String, in session: StoreSession) async throws -> Outcome {
        let now = Timestamp.now
        let named = try file.values(processing: processing, version: 1, at: now, by: actor)
        let processing = named[0].processing
        guard try await session.run(file.run) != nil else { throw ConveyorError.notFound("no run \(file.run) is registered") }
        let version = try await session.latestMonitoringVersion(of: file.run, processing: processing) + 1
        for var value in named {
            value.version = version
            try await session.insertMonitoringValue(value)
        }
        let (comparisons, opened, withdrawn) = try await evaluate(file.run, processing: processing, at: now, in: session)
        return Outcome(
            run: file.run, processing: processing, version: version, variables: named.count, comparisons: comparisons, opened: opened, withdrawn: withdrawn)
    }

    /// Compares a run's newest values in a processing with the references in force, opens a
    /// proposal per failing detector (applying it where the experiment says so) and withdraws
    /// open ones whose detector no longer fails.
    static func evaluate(
        _ run: ExpRun, processing: String, at now: Timestamp, in session: StoreSession
    ) async throws -> (
        comparisons: [VariableComparison], opened: [QualityProposal], withdrawn: Int
    ) {
        let values = try await session.monitoringValues(of: run, processing: processing)
        let references = try await session.monitoringReferencesInForce(at: run)
        let detectors = (try await session.experiment(run.exp) ?? .standard(exp: run.exp)).detectors
        let comparisons = MonitoringEvaluation.compare(values, references: references, detectors: detectors)
        try await session.recordVerdicts(run, processing: processing, comparisons.map { ($0.variable, $0.version, $0.verdict.rawValue, $0.figure) })
        let failing = MonitoringEvaluation.proposals(comparisons)
        let automatic = Set(try await session.autoApplyDetectors(exp: run.exp))
        var opened: [QualityProposal] = []
        for (detector, reason) in failing.sorted(by: { $0.key < $1.key }) {
            var (proposal, isNew) = try await session.proposeFlag(run, processing: processing, detector: detector, reason: reason, at: now)
            guard isNew else { continue }
            if automatic.contains(detector) {
                try await RunRegistry.flag(
                    run, detector: detector, to: proposal.flag, reason: proposal.flagReason(confirmedBy: nil, comment: nil), by: monitoringActor, at: now,
                    in: session)
                _ = try await session.decideProposal(proposal.id, to: .applied, by: monitoringActor.name, comment: nil, at: now)
                proposal.state = .applied
                proposal.decidedBy = monitoringActor.name
                proposal.decidedAt = now
            }
            opened.append(proposal)
        }
        let withdrawn = try await session.withdrawProposals(run, processing: processing, except: Set(failing.keys), at: now)
        return (comparisons, opened, withdrawn)
    }
}
