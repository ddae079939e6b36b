import SQLKit

/// One step of the schema's history. Versions are applied in order and never edited once released:
/// a change to the schema is a new migration.
struct Migration: Sendable {
    let version: Int
    let name: String
    let apply: @Sendable (any SQLDatabase, StoreKind) async throws -> Void
}

/// A migration as reported to users.
public struct MigrationInfo: Sendable, Codable, Hashable {
    public let version: Int
    public let name: String
}

/// Where a database's schema stands relative to this program.
public struct MigrationStatus: Sendable, Codable, Hashable {
    /// The highest version applied to the database (0 for a new one).
    public let currentVersion: Int
    /// The highest version this program knows.
    public let latestVersion: Int
    public let applied: [MigrationInfo]
    public let pending: [MigrationInfo]
}
