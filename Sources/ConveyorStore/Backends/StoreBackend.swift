import ConveyorCore
import SQLKit

/// What the two database engines provide to ``Store``: a connection-bound `SQLDatabase` for a
/// read or for a transaction. Every query above this protocol is written once, in SQLKit.
protocol StoreBackend: Sendable {
    var kind: StoreKind { get }

    /// Runs `body` on one connection, outside any explicit transaction.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` inside one transaction: committed if it returns, rolled back if it throws.
    func withTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Turns an engine error into a one-line ``ConveyorError``.
    func translate(_ error: any Error) -> ConveyorError

    func close() async
}

/// The database engine behind a store.
public enum StoreKind: String, Sendable, Codable {
    case sqlite
    case postgresql
}
