import ConveyorCore
import SQLKit

extension StoreSession {
    /// The stored configuration of an experiment, or nil when none was set.
    public func experiment(_ exp: Int) async throws -> ExperimentConfiguration? {
        guard let row = try await experimentSelect().where("exp", .equal, exp).first() else { return nil }
        return try decodeExperiment(row)
    }

    public func experiments() async throws -> [ExperimentConfiguration] {
        try await experimentSelect().orderBy("exp").all().map(decodeExperiment)
    }

    /// Stores or replaces an experiment's configuration.
    public func saveExperiment(_ configuration: ExperimentConfiguration, at time: Timestamp, by actor: String) async throws {
        let detectors = configuration.detectors.joined(separator: ",")
        if try await experiment(configuration.exp) != nil {
            try await sql.update("experiments").set("name", to: configuration.name).set("detectors", to: detectors)
                .set("updated_at", to: time.microsecondsSinceEpoch).set("updated_by", to: actor).where("exp", .equal, configuration.exp).run()
        } else {
            try await sql.insert(into: "experiments").columns("exp", "name", "detectors", "updated_at", "updated_by")
                .values(SQLBind(configuration.exp), SQLBind(configuration.name), SQLBind(detectors), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor))
                .run()
        }
    }

    private func experimentSelect() -> SQLSelectBuilder {
        sql.select().columns("exp", "name", "detectors").from("experiments")
    }

    private func decodeExperiment(_ row: any SQLRow) throws -> ExperimentConfiguration {
        try ExperimentConfiguration(
            exp: try row.decode(column: "exp", as: Int.self), name: try row.decode(column: "name", as: String.self),
            detectors: try row.decode(column: "detectors", as: String.self).split(separator: ",").map(String.init))
    }
}
