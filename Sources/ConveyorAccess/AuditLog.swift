import ConveyorCore
import ConveyorStore

/// Reading the append-only audit log. Entries are written by each capability inside the
/// transaction of the change they describe.
public struct AuditLog: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Entries at or after `since`, newest first.
    public func entries(since: Timestamp? = nil, actor: String? = nil, limit: Int = 100) async throws(ConveyorError) -> [AuditEntry] {
        guard (1...10_000).contains(limit) else {
            throw .invalidInput("limit must be between 1 and 10000, not \(limit)")
        }
        return try await store.read { try await $0.auditEntries(since: since, actor: actor, limit: limit) }
    }
}
