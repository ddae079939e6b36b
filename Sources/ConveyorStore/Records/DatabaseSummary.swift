import ConveyorCore

/// What a database holds at a glance: `conveyor db info` and the home page.
public struct DatabaseSummary: Codable, Sendable {
    public let backend: StoreKind
    public let location: String
    public let schemaVersion: Int
    public let counts: [KindCount]
}

extension Store {
    public func summary() async throws(ConveyorError) -> DatabaseSummary {
        let status = try await migrationStatus()
        let counts = try await read { try await $0.counts() }
        return DatabaseSummary(backend: kind, location: location.description, schemaVersion: status.currentVersion, counts: counts)
    }
}
