import ConveyorCore
import SQLKit

/// What the two database engines provide to ``Store``: a connection-bound `SQLDatabase` for a
/// read or for a transaction. Every query above this protocol is written once, in SQLKit.
protocol StoreBackend: Sendable {
    var kind: StoreKind { get }

    /// Runs `body` on one connection, outside any explicit transaction.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` inside one transaction: committed if it returns, rolled back if it throws.
    /// With `durable`, the commit returns only once the change is on disk (fsync), whatever the
    /// engine's setting for ordinary commits.
    func withTransaction<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Turns an engine error into a one-line ``ConveyorError``.
    func translate(_ error: any Error) -> ConveyorError

    func close() async
}

/// The database engine behind a store.
public enum StoreKind: String, Sendable, Codable {
    case sqlite
    case postgresql
}

/// Runs `work` in a task of its own, so that the caller's cancellation cannot skip it.
///
/// The end of a transaction must run even when the task that began it was cancelled (a
/// scheduler's heartbeat stopped mid-write, a server shutting down): SQLiteNIO drops cancelled
/// work without running it, and a skipped `ROLLBACK` would leave a pooled connection inside a
/// transaction that holds the write lock.
func uncancelled(_ work: @escaping @Sendable () async throws -> Void) async throws {
    try await Task { try await work() }.value
}
