import ConveyorCore
import ConveyorStore
import Foundation

extension QualityMonitoring {
    /// Where a new reference's histogram or value comes from.
    public enum ReferenceSource: Sendable {
        /// The newest value of the variable in this run and processing (a chosen good run).
        case run(ExpRun, processing: String)
        /// A value, e.g. a fit result or the nominal mass.
        case value(Double)
    }

    /// What setting a reference did: the reference, and the runs it compared again.
    public struct ReferenceOutcome: Codable, Sendable, Equatable {
        public var reference: MonitoringReference
        public var runsCompared: Int
        public var opened: [QualityProposal]
    }

    /// Sets the reference of `variable` for a run range (needs `expert`), then compares again
    /// every run of the range that has the variable, so proposals follow the new reference.
    public func setReference(
        variable: String, exp: Int, runs: ClosedRange<Int>, from source: ReferenceSource, comparison: QualityComparison, reason: String, by actor: Actor
    ) async throws(ConveyorError) -> ReferenceOutcome {
        try actor.require(.expert, to: "setting monitoring references")
        return try await store.write { session in
            let now = Timestamp.now
            var reference = MonitoringReference(
                variable: variable, exp: exp, runs: runs, comparison: comparison, reason: reason.trimmingCharacters(in: .whitespaces), at: now, by: actor.name)
            switch source {
            case .value(let value):
                reference.value = value
            case .run(let run, let processing):
                guard let stored = try await session.monitoringValues(of: run, processing: processing).first(where: { $0.variable == variable }) else {
                    throw ConveyorError.notFound("run \(run) has no \(variable) in \(processing) to take as the reference")
                }
                reference.histogram = stored.histogram
                reference.value = stored.value
                if comparison.comparesHistograms, stored.histogram == nil {
                    throw ConveyorError.invalidInput("\(variable) of run \(run) is a scalar: use a rel or abs test")
                }
                if !comparison.comparesHistograms {
                    guard let value = stored.value ?? stored.histogram?.mean?.value else {
                        throw ConveyorError.invalidInput("\(variable) of run \(run) is an empty histogram: there is no value to shift from")
                    }
                    reference.histogram = nil
                    reference.value = value
                }
            }
            try reference.validate()
            reference.id = try await session.insertMonitoringReference(reference)
            var opened: [QualityProposal] = []
            let affected = try await session.monitoredRuns(of: variable, exp: exp, runs: runs)
            for (run, processing) in affected {
                opened += try await Self.evaluate(run, processing: processing, at: now, in: session).opened
            }
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "qm.reference", subjectKind: "variable", subject: variable,
                    detail: "exp \(exp) runs \(runs.lowerBound)-\(runs.upperBound), \(comparison): \(reference.reason)"))
            return ReferenceOutcome(reference: reference, runsCompared: affected.count, opened: opened)
        }
    }

    /// A variable's references in an experiment, newest first.
    public func references(of variable: String, exp: Int) async throws(ConveyorError) -> [MonitoringReference] {
        try await store.read { try await $0.monitoringReferences(of: variable, exp: exp) }
    }

    /// The newest experiment with monitoring values, if any.
    public func newestExperiment() async throws(ConveyorError) -> Int? {
        try await store.read { try await $0.newestMonitoredExperiment() }
    }

    /// The variables with references in an experiment.
    public func referencedVariables(exp: Int) async throws(ConveyorError) -> [String] {
        try await store.read { try await $0.referencedVariables(exp: exp).map(\.variable) }
    }
}
