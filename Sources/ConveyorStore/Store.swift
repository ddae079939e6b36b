import ConveyorCore
import Logging
import SQLKit

/// A Conveyor database: SQLite or PostgreSQL behind one interface.
///
/// Opening applies any pending schema migrations (unless told not to), after refusing files and
/// databases that are not Conveyor's or whose schema is newer than this program knows.
/// Every change runs inside ``write(_:)``: one transaction, committed whole or not at all.
///
/// ```swift
/// let store = try await Store.open(.sqlite(path: "conveyor.sqlite"))
/// defer { Task { await store.close() } }
/// let users = try await store.read { try await $0.users() }
/// try await store.write { session in
///     let user = try await session.insertUser(…)
///     try await session.appendAudit(…)            // same transaction as the change
/// }
/// ```
public final class Store: Sendable {
    public let location: StoreLocation
    let backend: any StoreBackend
    let logger: Logger

    public var kind: StoreKind { backend.kind }

    private init(location: StoreLocation, backend: any StoreBackend, logger: Logger) {
        self.location = location
        self.backend = backend
        self.logger = logger
    }

    /// Opens (and by default migrates) the database at `location`.
    ///
    /// - Throws: ``ConveyorError/unavailable(_:)`` with a one-line reason when the database
    ///   cannot be reached, is not a Conveyor database, or has a newer schema than this program.
    public static func open(
        _ location: StoreLocation,
        migrate: Bool = true,
        logger: Logger = Logger(label: "conveyor.store")
    ) async throws(ConveyorError) -> Store {
        let backend: any StoreBackend
        switch location {
        case .sqlite(let path):
            backend = try await SQLiteBackend.open(path: path, logger: logger)
        case .postgres(let address):
            backend = try await PostgresBackend.open(address: address, logger: logger)
        }
        let store = Store(location: location, backend: backend, logger: logger)
        do {
            let status = try await store.migrationStatus()
            if let sqlite = backend as? SQLiteBackend {
                try await sqlite.enableWriteAheadLog()
            }
            if migrate, !status.pending.isEmpty {
                _ = try await store.migrate()
            }
        } catch {
            await backend.close()
            throw backend.translate(error)
        }
        return store
    }

    /// Opens the store, runs `body`, and closes the store whether `body` succeeds or throws.
    ///
    /// ```swift
    /// let users = try await Store.withOpened(.sqlite(path: "conveyor.sqlite")) { store in
    ///     try await store.read { try await $0.users() }
    /// }
    /// ```
    public static func withOpened<T>(
        _ location: StoreLocation,
        migrate: Bool = true,
        logger: Logger = Logger(label: "conveyor.store"),
        _ body: (Store) async throws -> T
    ) async throws -> T {
        let store = try await open(location, migrate: migrate, logger: logger)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Runs `body` on one connection for reading. Errors come out as ``ConveyorError``.
    public func read<T: Sendable>(_ body: @escaping @Sendable (StoreSession) async throws -> T) async throws(ConveyorError) -> T {
        let (kind, blobs) = (backend.kind, PayloadBlobs.forLocation(location))
        do {
            return try await backend.withConnection { try await body(StoreSession(sql: $0, kind: kind, blobs: blobs)) }
        } catch {
            throw backend.translate(error)
        }
    }

    /// Runs `body` in one transaction: everything it writes lands together, or nothing does.
    /// The checks of ``withWriteCheck(_:_:)`` run first, in the same transaction. With `durable`,
    /// it returns only once the commit is on disk (for records that must outlive a power cut
    /// before an outside system is called).
    @discardableResult
    public func write<T: Sendable>(durable: Bool = false, _ body: @escaping @Sendable (StoreSession) async throws -> T) async throws(ConveyorError) -> T {
        let (kind, blobs, checks) = (backend.kind, PayloadBlobs.forLocation(location), Store.writeChecks)
        do {
            return try await backend.withTransaction(durable: durable) {
                let session = StoreSession(sql: $0, kind: kind, blobs: blobs)
                for check in checks { try await check(session) }
                return try await body(session)
            }
        } catch {
            throw backend.translate(error)
        }
    }

    /// Closes every connection. The store cannot be used afterwards.
    public func close() async {
        await backend.close()
    }
}
