import ConveyorCore
import ConveyorStore

extension RunRegistry {
    /// An experiment's configuration: the stored one, or Belle II's detectors when none was set.
    public func configuration(of exp: Int) async throws(ConveyorError) -> ExperimentConfiguration {
        try await store.read { try await $0.experiment(exp) } ?? .standard(exp: exp)
    }

    /// The experiments that have a stored configuration.
    public func experiments() async throws(ConveyorError) -> [ExperimentConfiguration] {
        try await store.read { try await $0.experiments() }
    }

    /// Sets the name and detector list of an experiment. Needs `manager`. Flags already recorded
    /// for a detector that leaves the list stay in the history; new flags must name a listed one.
    public func configure(_ configuration: ExperimentConfiguration, by actor: Actor) async throws(ConveyorError) {
        try actor.require(.manager, to: "configuring an experiment")
        try await store.write { session in
            let old = try await session.experiment(configuration.exp) ?? .standard(exp: configuration.exp)
            let now = Timestamp.now
            try await session.saveExperiment(configuration, at: now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "experiments.configure", subjectKind: "experiment",
                    subject: String(configuration.exp),
                    detail: "detectors \(old.detectors.joined(separator: ",")) -> \(configuration.detectors.joined(separator: ","))"))
        }
    }
}
